// Where each tensor lives in the flat parameter buffer: all weights first, then all biases, each tensor
// starting at the device's storage offset alignment so it can be bound on its own. Padding stays zero.

export interface Slot {
  /** In floats. */
  offset: number;
  length: number;
}

export interface ParamLayout {
  /** weights[l]: (layers[l+1], layers[l]) */
  weights: Slot[];
  /** biases[l]: (layers[l+1]) */
  biases: Slot[];
  /** Floats before the first bias: the L2 penalty applies below this index. */
  weightFloats: number;
  totalFloats: number;
}

export function paramLayout(layers: number[], alignFloats: number): ParamLayout {
  let end = 0;
  const place = (length: number): Slot => {
    const offset = Math.ceil(end / alignFloats) * alignFloats;
    end = offset + length;
    return { offset, length };
  };
  const pairs = layers.slice(1).map((nOut, l) => [nOut, layers[l]]);
  const weights = pairs.map(([nOut, nIn]) => place(nOut * nIn));
  const weightFloats = Math.ceil(end / alignFloats) * alignFloats;
  const biases = pairs.map(([nOut]) => place(nOut));
  return { weights, biases, weightFloats, totalFloats: Math.ceil(end / alignFloats) * alignFloats };
}

/** The binding of one slot of a flat float buffer. */
export const slotBinding = (buffer: GPUBuffer, slot: Slot): GPUBufferBinding => ({
  buffer,
  offset: slot.offset * 4,
  size: slot.length * 4,
});
