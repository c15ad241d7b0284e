// A model's last good state, copied to the CPU: what it returns to after a lost device or a diverged fit.
// Training refreshes it at every checkpoint; outside a call it always equals what the GPU holds.

import type { OptimizerKind } from '../ops/optimizer';

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

/** Words for a checkpoint after `step` steps of `epoch` (step 0: before it began). */
export function describePosition(epoch: number, step: number): string {
  if (step > 0) return `after step ${step} of epoch ${epoch}`;
  return epoch > 1 ? `at the end of epoch ${epoch - 1}` : 'before this fit';
}
