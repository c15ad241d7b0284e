// IDX, the file format of MNIST: parse and write, plain or gzipped. Big-endian header: magic (2051 for
// images, 2049 for labels), count, then rows and cols for images; then one byte per pixel or label.
// Parsing checks every field against the file's real length and loads nothing on any mismatch.

import { DataFormatError } from '../errors';

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** (count, rows · cols) bytes */
  pixels: Uint8Array;
}

const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;

function header(file: string, bytes: Uint8Array, words: number, magic: number, kind: string): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = bytes.length >= 4 ? view.getUint32(0, false) : undefined;
  if (found !== undefined && found !== magic) {
    const hint = found === (magic === IMAGES_MAGIC ? LABELS_MAGIC : IMAGES_MAGIC) ? ' (images and labels swapped?)' : '';
    throw new DataFormatError(file, 'magic', `is ${found}; IDX ${kind} have ${magic}${hint}`);
  }
  if (bytes.length < words * 4) {
    throw new DataFormatError(file, 'header', `is ${bytes.length} bytes; an IDX ${kind} file starts with ${words * 4}`);
  }
  return Array.from({ length: words }, (_, i) => view.getUint32(i * 4, false));
}

function checkLength(file: string, bytes: Uint8Array, start: number, expected: number, what: string): void {
  const actual = bytes.length - start;
  if (actual < expected) throw new DataFormatError(file, 'data', `is truncated: ${what} needs ${expected} bytes, the file has ${actual}`);
  if (actual > expected) throw new DataFormatError(file, 'data', `has ${actual - expected} bytes past the ${expected} that ${what} needs`);
}

export function parseIdxImages(file: string, bytes: Uint8Array): IdxImages {
  const [, count, rows, cols] = header(file, bytes, 4, IMAGES_MAGIC, 'images');
  if (count < 1) throw new DataFormatError(file, 'count', 'is 0; expected at least one image');
  if (rows < 1 || cols < 1 || rows * cols > 65536) {
    throw new DataFormatError(file, 'rows × cols', `is ${rows} × ${cols}; expected images of 1 to 65536 pixels`);
  }
  checkLength(file, bytes, 16, count * rows * cols, `${count} images of ${rows} × ${cols}`);
  return { count, rows, cols, pixels: bytes.slice(16) };
}

export function parseIdxLabels(file: string, bytes: Uint8Array): Uint8Array {
  const [, count] = header(file, bytes, 2, LABELS_MAGIC, 'labels');
  if (count < 1) throw new DataFormatError(file, 'count', 'is 0; expected at least one label');
  checkLength(file, bytes, 8, count, `${count} labels`);
  return bytes.slice(8);
}

export function encodeIdxImages(pixels: Uint8Array, count: number, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(16 + pixels.length);
  const view = new DataView(out.buffer);
  [IMAGES_MAGIC, count, rows, cols].forEach((value, i) => view.setUint32(i * 4, value, false));
  out.set(pixels, 16);
  return out;
}

export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, LABELS_MAGIC, false);
  view.setUint32(4, labels.length, false);
  out.set(labels, 8);
  return out;
}

/** Bytes as they are, or gunzipped when they start with the gzip magic (1f 8b). */
export async function maybeGunzip(file: string, bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    throw new DataFormatError(file, 'gzip', `does not decompress: ${(cause as Error).message}`);
  }
}
