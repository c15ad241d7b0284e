// safetensors: round trip, an independent reading of the bytes, and hostile headers rejected.
import { describe, expect, test } from 'vitest';
import { ModelFormatError } from '../errors';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

const tensors = [
  { name: 'a', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  { name: 'b', shape: [3], data: Float32Array.from([-1, 0.5, 7]) },
];

/** A file from a header object and a data length, written by hand. */
function file(header: object, dataBytes: number, headerText = JSON.stringify(header)): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

test('round trip, and the layout the format specifies', () => {
  const bytes = encodeSafetensors(tensors, { format: 'webgpu-nn' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  expect((8 + n) % 8).toBe(0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
  expect(header.b).toEqual({ dtype: 'F32', shape: [3], data_offsets: [24, 36] });
  expect(new Float32Array(bytes.slice(8 + n + 24).buffer)[2]).toBe(7);
  const decoded = decodeSafetensors('m', bytes);
  expect(decoded.metadata).toEqual({ format: 'webgpu-nn' });
  expect(Array.from(decoded.tensors.get('a')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(decoded.tensors.get('b')!.shape).toEqual([3]);
});

describe('hostile or malformed files', () => {
  const t = (offsets: number[], shape = [2], dtype = 'F32') => ({ dtype, shape, data_offsets: offsets });
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(5), /starts with an 8-byte header length/],
    ['header length past the end', (() => { const b = file({}, 0); new DataView(b.buffer).setBigUint64(0, 10n ** 15n, true); return b; })(), /runs past the end/],
    ['not JSON', file({}, 0, '{"a": '), /not valid JSON/],
    ['an array', file([], 0), /not a JSON object/],
    ['__proto__ key', file({}, 0, '{"__proto__": {"polluted": true}}'), /"__proto__"/],
    ['wrong dtype', file({ a: t([0, 8], [2], 'F64') }, 8), /dtype "F64"; only F32/],
    ['bad shape', file({ a: t([0, 8], [-2]) }, 8), /shape \[-2\]/],
    ['offsets outside the data', file({ a: t([0, 8]) }, 4), /outside the 4 data bytes/],
    ['size not matching the shape', file({ a: t([0, 12]) }, 12), /has 12 bytes; shape \[2\] of F32 needs 8/],
    ['overlap', file({ a: t([0, 8]), b: t([4, 12]) }, 12), /overlaps/],
    ['hole', file({ a: t([0, 8]), b: t([12, 20]) }, 20), /bytes 8\.\.12 of the data belong to no tensor/],
    ['trailing bytes', file({ a: t([0, 8]) }, 12), /bytes 8\.\.12 of the data belong to no tensor/],
    ['metadata not strings', file({ __metadata__: { x: 1 } }, 0), /__metadata__\.x is not a string/],
  ];
  for (const [name, bytes, message] of cases) {
    test(name, () => {
      expect(() => decodeSafetensors('evil.safetensors', bytes)).toThrow(ModelFormatError);
      expect(() => decodeSafetensors('evil.safetensors', bytes)).toThrow(message);
    });
  }
});
