// Our model files read by an independent safetensors parser, written here from the published format
// (https://huggingface.co/docs/safetensors): 8 bytes little-endian u64 N, N bytes of JSON header
// { name: { dtype, shape, data_offsets: [begin, end) into the byte buffer after the header }, __metadata__ },
// then the byte buffer. This is what PyTorch's safetensors.torch.load_file reads (see docs/API.md).
import { expect, test } from 'vitest';
import { Random } from '../random';
import { resolveMLPOptions } from './architecture';
import { encodeModel } from './model_file';

function parse(file: Uint8Array): { metadata: Record<string, string>; tensors: Map<string, { shape: number[]; data: Float32Array }> } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + headerLength)));
  const buffer = file.subarray(8 + headerLength);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, entry] of Object.entries<any>(header)) {
    if (name === '__metadata__') continue;
    expect(entry.dtype).toBe('F32');
    const [begin, end] = entry.data_offsets;
    const bytes = buffer.slice(begin, end); // a copy, so the floats are 4-byte aligned
    const data = new Float32Array(bytes.buffer, 0, bytes.length / 4);
    expect(data.length).toBe(entry.shape.reduce((a: number, b: number) => a * b, 1));
    tensors.set(name, { shape: entry.shape, data });
  }
  return { metadata: header.__metadata__ ?? {}, tensors };
}

test('every tensor of a saved model reads back through an independent safetensors parser', () => {
  const widths = [7, 5, 3, 2];
  const { spec, layers } = resolveMLPOptions({ layers: widths, activation: 'tanh', seed: 8 });
  const random = new Random(1);
  const values: Record<string, Float32Array> = {};
  [35, 15, 6].forEach((n, l) => (values[`layers.${l}.weight`] = Float32Array.from({ length: n }, () => random.normal())));
  [5, 3, 2].forEach((n, l) => (values[`layers.${l}.bias`] = Float32Array.from({ length: n }, () => random.normal())));
  const { metadata, tensors } = parse(encodeModel(spec, layers, values, { epochs: 1 }));
  expect([...tensors.keys()].sort()).toEqual(['layers.0.bias', 'layers.0.weight', 'layers.1.bias', 'layers.1.weight', 'layers.2.bias', 'layers.2.weight']);
  widths.slice(1).forEach((out, l) => {
    const weight = tensors.get(`layers.${l}.weight`)!;
    const bias = tensors.get(`layers.${l}.bias`)!;
    expect(weight.shape).toEqual([out, widths[l]]); // (out, in), as torch.nn.Linear stores it
    expect(bias.shape).toEqual([out]);
    expect(Array.from(weight.data)).toEqual(Array.from(values[`layers.${l}.weight`]));
    expect(Array.from(bias.data)).toEqual(Array.from(values[`layers.${l}.bias`]));
  });
  expect(JSON.parse(metadata.architecture)).toMatchObject({ input: [7, 1, 1], layers: [{ type: 'dense', units: 5, activation: 'tanh' }, { type: 'dense', units: 3 }, { type: 'dense', units: 2 }] });
});
