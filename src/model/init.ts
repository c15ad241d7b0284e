// Seeded initial parameters: weights randn·scale, layer by layer in row-major (out, in) order; biases 0.

import { Random } from '../random';
import type { MLPSpec } from './config';
import type { ParamLayout } from './layout';

/** 'xavier': sqrt(2/(in+out)) as in the original tutorial; 'he': sqrt(2/in). */
export function initScale(init: MLPSpec['init'], nIn: number, nOut: number): number {
  return init === 'he' ? Math.sqrt(2 / nIn) : Math.sqrt(2 / (nIn + nOut));
}

/** The flat parameter buffer's initial contents. */
export function initialParams(spec: MLPSpec, layout: ParamLayout): Float32Array {
  const random = new Random(spec.seed);
  const flat = new Float32Array(layout.totalFloats);
  layout.weights.forEach((slot, l) => {
    const scale = initScale(spec.init, spec.layers[l], spec.layers[l + 1]);
    for (let i = 0; i < slot.length; i++) flat[slot.offset + i] = random.normal() * scale;
  });
  return flat;
}
