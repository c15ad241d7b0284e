// Seeded initial parameters: each weight randn·scale, layer by layer in row-major order; biases 0.

import type { ParamShapes } from '../layers/layer';
import { Random } from '../random';
import type { ModelSpec } from './architecture';
import type { ParamLayout } from './layout';

/** 'xavier': sqrt(2/(fanIn+fanOut)) as in the original tutorial; 'he': sqrt(2/fanIn). */
export function initScale(init: ModelSpec['init'], fanIn: number, fanOut: number): number {
  return init === 'he' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
}

/** The flat parameter buffer's initial contents for the layers with parameters, `params`. */
export function initialParams(spec: ModelSpec, params: ParamShapes[], layout: ParamLayout): Float32Array {
  const random = new Random(spec.seed);
  const flat = new Float32Array(layout.totalFloats);
  layout.weights.forEach((slot, i) => {
    const scale = initScale(spec.init, params[i].fanIn, params[i].fanOut);
    for (let j = 0; j < slot.length; j++) flat[slot.offset + j] = random.normal() * scale;
  });
  return flat;
}
