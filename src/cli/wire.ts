// What travels between Node and the engine in another process (Deno) or page: JSON lines, the messages among
// them marked with MARK (other lines are the far side's own output), and bytes as base64.

/** Starts each message line; any other line is the far side's console. */
export const MARK = '\u0001';

/** The lines of a stream of bytes or text, each as soon as its newline arrives. */
export async function* lines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let end;
    while ((end = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, end);
      pending = pending.slice(end + 1);
    }
  }
}

/** Bytes as base64 (btoa, so it runs in browsers and Deno as well as Node). */
export function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
