// Seeded initial parameters: layer by layer, each tensor as it says (src/layers/layer.ts TensorSpec.init):
// randn·scale in row-major order, drawn from one generator in the layers' order, or a constant.

import { Random } from '../random';
import type { ModelSpec } from './architecture';
import type { ParamLayout } from './layout';

/** 'xavier': sqrt(2/(fanIn+fanOut)) as in the original tutorial; 'he': sqrt(2/fanIn). */
export function initScale(init: ModelSpec['init'], fanIn: number, fanOut: number): number {
  return init === 'he' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
}

/** The flat parameter buffer's initial contents. */
export function initialParams(spec: ModelSpec, layout: ParamLayout): Float32Array {
  const random = new Random(spec.seed);
  const flat = new Float32Array(layout.totalFloats);
  for (const { offset, length, spec: { init } } of layout.tensors) {
    if ('fill' in init) {
      flat.fill(init.fill, offset, offset + length);
    } else {
      const scale = initScale(spec.init, init.fanIn, init.fanOut);
      for (let j = 0; j < length; j++) flat[offset + j] = random.normal() * scale;
    }
  }
  return flat;
}
