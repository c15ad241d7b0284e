// Where each tensor lives in the flat parameter buffer: the weights of every layer that has parameters first,
// then their biases, each tensor starting at the device's storage offset alignment so it can be bound on its
// own. Padding stays zero.

import type { ParamShapes } from '../layers/layer';

export interface Slot {
  /** In floats. */
  offset: number;
  length: number;
}

export interface ParamLayout {
  /** weights[i]: the i-th layer with parameters' weight, e.g. (out, in) or (filters, in channels, kh, kw) */
  weights: Slot[];
  /** biases[i]: (out) or (filters) */
  biases: Slot[];
  /** Floats before the first bias: the L2 penalty applies below this index. */
  weightFloats: number;
  totalFloats: number;
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function paramLayout(params: ParamShapes[], alignFloats: number): ParamLayout {
  let end = 0;
  const place = (length: number): Slot => {
    const offset = Math.ceil(end / alignFloats) * alignFloats;
    end = offset + length;
    return { offset, length };
  };
  const weights = params.map((p) => place(product(p.weight)));
  const weightFloats = Math.ceil(end / alignFloats) * alignFloats;
  const biases = params.map((p) => place(product(p.bias)));
  return { weights, biases, weightFloats, totalFloats: Math.ceil(end / alignFloats) * alignFloats };
}

/** The binding of one slot of a flat float buffer. */
export const slotBinding = (buffer: GPUBuffer, slot: Slot): GPUBufferBinding => ({
  buffer,
  offset: slot.offset * 4,
  size: slot.length * 4,
});
