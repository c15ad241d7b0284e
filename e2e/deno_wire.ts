// The line protocol between e2e/deno_page.ts (Node) and e2e/deno_harness.ts (Deno): JSON that keeps what
// Playwright's evaluate keeps, non-finite numbers included (typed arrays become arrays). Answers are marked
// lines (src/cli/wire.ts's MARK).

export function encode(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_, v: unknown) => (v !== null && typeof v === 'object' && '$number' in v ? Number((v as { $number: string }).$number) : v));
}
