// The safetensors format (as PyTorch and the `safetensors` libraries write it): an 8-byte little-endian
// header length N, N bytes of JSON { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__ },
// then the tensors' bytes. Only F32 here. Decoding trusts no length in the file and rejects any hole,
// overlap, out-of-range offset, odd dtype or shape, and any `__proto__` key.

import { ModelFormatError } from '../errors';

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const MAX_HEADER = 16 * 1024 * 1024;

export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export interface DecodedSafetensors {
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  metadata: Record<string, string>;
}

export function decodeSafetensors(file: string, bytes: Uint8Array): DecodedSafetensors {
  const fail = (detail: string): never => {
    throw new ModelFormatError(file, detail);
  };
  if (bytes.length < 8) fail(`is ${bytes.length} bytes; a safetensors file starts with an 8-byte header length`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    fail(`header length ${length} runs past the end of the ${bytes.length}-byte file`);
  }
  const headerEnd = 8 + Number(length);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)), (key, value) => {
      if (key === '__proto__') throw new Error('a "__proto__" key');
      return value;
    });
  } catch (cause) {
    fail(`header is not valid JSON: ${(cause as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const entries = Object.entries(header as Record<string, unknown>);
  const dataLength = bytes.length - headerEnd;

  const metadata: Record<string, string> = {};
  const raw = (header as Record<string, unknown>).__metadata__;
  if (raw !== undefined) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ is not an object');
    for (const [key, value] of Object.entries(raw as object)) {
      if (typeof value !== 'string') fail(`__metadata__.${key} is not a string`);
      metadata[key] = value;
    }
  }

  const spans: { name: string; begin: number; end: number; shape: number[] }[] = [];
  for (const [name, info] of entries) {
    if (name === '__metadata__') continue;
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) fail(`tensor ${name} is not an object`);
    if (t.dtype !== 'F32') fail(`tensor ${name} has dtype ${JSON.stringify(t.dtype)}; only F32 is supported`);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor ${name} has shape ${JSON.stringify(shape)}`);
    const offsets = t.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor ${name} has data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength) fail(`tensor ${name} has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes`);
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== elements * 4) fail(`tensor ${name} has ${end - begin} bytes; shape [${shape}] of F32 needs ${elements * 4}`);
    spans.push({ name, begin, end, shape: shape as number[] });
  }
  spans.sort((a, b) => a.begin - b.begin);
  let covered = 0;
  for (const span of spans) {
    if (span.begin < covered) fail(`tensor ${span.name} overlaps the tensor before it`);
    if (span.begin > covered) fail(`bytes ${covered}..${span.begin} of the data belong to no tensor`);
    covered = span.end;
  }
  if (covered !== dataLength) fail(`bytes ${covered}..${dataLength} of the data belong to no tensor`);

  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const span of spans) {
    const copy = bytes.slice(headerEnd + span.begin, headerEnd + span.end); // aligned copy
    tensors.set(span.name, { shape: span.shape, data: new Float32Array(copy.buffer) });
  }
  return { tensors, metadata };
}
