// A model's last good state, copied to the CPU: what it returns to after a lost device or a diverged fit.
// Training refreshes it at every checkpoint; outside a call it always equals what the GPU holds.

import type { OptimizerKind } from '../ops/optimizer';
import type { Weights } from './config';
import { type ParamLayout, type Slot, slotsOf, type TensorSlot } from './layout';

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

/** The slots getWeights lists: the `weight` and `bias` of every layer that trains both, in layer order. */
export function weightSlots(layout: ParamLayout): { weight: TensorSlot; bias: TensorSlot }[] {
  const layers = [...new Set(layout.tensors.map((t) => t.layer))];
  return layers.map((l) => slotsOf(layout, l)).filter((s) => s.weight?.spec.trained && s.bias?.spec.trained)
    .map((s) => ({ weight: s.weight, bias: s.bias }));
}

const copy = (params: Float32Array, slot: Slot) => params.slice(slot.offset, slot.offset + slot.length);

/** The weights and biases of flat parameters, as separate row-major copies. */
export function weightsOf(layout: ParamLayout, params: Float32Array): Weights {
  const slots = weightSlots(layout);
  return { weights: slots.map((s) => copy(params, s.weight)), biases: slots.map((s) => copy(params, s.bias)) };
}

/** A copy of the flat parameters `params` with the weights and biases `values` (as weightsOf gives them). */
export function withWeights(layout: ParamLayout, params: Float32Array, values: Weights): Float32Array<ArrayBuffer> {
  const flat = new Float32Array(params);
  weightSlots(layout).forEach((s, i) => {
    flat.set(values.weights[i], s.weight.offset);
    flat.set(values.biases[i], s.bias.offset);
  });
  return flat;
}

/** Copies of the tensors of `slots` in `flat` (parameters, or optimizer state), keyed `layers.{i}.{name}`. */
export function tensorsOf(slots: TensorSlot[], flat: Float32Array): Record<string, Float32Array> {
  return Object.fromEntries(slots.map((slot) => [slot.key, copy(flat, slot)]));
}

/** A flat buffer of `floats` (zeros elsewhere) holding `values`, keyed as tensorsOf gives them; unknown keys are ignored. */
export function flatOf(slots: TensorSlot[], floats: number, values: Record<string, Float32Array>, base?: Float32Array): Float32Array<ArrayBuffer> {
  const flat = base ? new Float32Array(base) : new Float32Array(floats);
  for (const slot of slots) if (values[slot.key]) flat.set(values[slot.key], slot.offset);
  return flat;
}

/** The tensors model files hold, and those the optimizer updates (whose state checkpoints hold). */
export const savedSlots = (layout: ParamLayout): TensorSlot[] => layout.tensors.filter((t) => t.spec.saved);
export const trainedSlots = (layout: ParamLayout): TensorSlot[] => layout.tensors.filter((t) => t.spec.trained);

/** Words for a checkpoint after `step` steps of `epoch` (step 0: before it began). */
export function describePosition(epoch: number, step: number): string {
  if (step > 0) return `after step ${step} of epoch ${epoch}`;
  return epoch > 1 ? `at the end of epoch ${epoch - 1}` : 'before this fit';
}
