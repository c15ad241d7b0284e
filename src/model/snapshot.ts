// A model's last good state, copied to the CPU: what it returns to after a lost device or a diverged fit.
// Training refreshes it at every checkpoint; outside a call it always equals what the GPU holds.

import type { OptimizerKind } from '../ops/optimizer';
import type { Weights } from './config';
import type { ParamLayout } from './layout';

export interface Snapshot {
  /** The flat parameters (see layout.ts). */
  params: Float32Array;
  /** The optimizer's kind, the contents of its state buffers and the steps it took; none before a fit made it. */
  optimizer?: { kind: OptimizerKind; state: Float32Array[]; steps: number };
  /** When it was taken, in words: "when initialised", "at the end of epoch 3", "after step 40 of epoch 2". */
  taken: string;
}

/** Whether every parameter and every optimizer value is a finite number. */
export function isFiniteSnapshot(s: Snapshot): boolean {
  return [s.params, ...(s.optimizer?.state ?? [])].every((values) => values.every(Number.isFinite));
}

/** The weights and biases of flat parameters, as separate row-major copies. */
export function weightsOf(layout: ParamLayout, params: Float32Array): Weights {
  const copy = (slot: { offset: number; length: number }) => params.slice(slot.offset, slot.offset + slot.length);
  return { weights: layout.weights.map(copy), biases: layout.biases.map(copy) };
}

/** The flat parameters (see layout.ts) holding `values`, the inverse of weightsOf. */
export function flatOf(layout: ParamLayout, values: Weights): Float32Array<ArrayBuffer> {
  const flat = new Float32Array(layout.totalFloats);
  values.weights.forEach((w, i) => flat.set(w, layout.weights[i].offset));
  values.biases.forEach((b, i) => flat.set(b, layout.biases[i].offset));
  return flat;
}

/** Words for a checkpoint after `step` steps of `epoch` (step 0: before it began). */
export function describePosition(epoch: number, step: number): string {
  if (step > 0) return `after step ${step} of epoch ${epoch}`;
  return epoch > 1 ? `at the end of epoch ${epoch - 1}` : 'before this fit';
}
