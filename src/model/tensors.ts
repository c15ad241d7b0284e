// A model's tensors on the CPU, by name: views of the flat parameter buffer (src/model/layout.ts) as getWeights,
// getTensors, model files and checkpoints see them, and the checks of the values an app sets.

import { ArgumentError } from '../errors';
import type { Tensors, Weights } from './config';
import { type ParamLayout, type Slot, slotsOf, type TensorSlot } from './layout';
import type { TensorRecord } from './model_file';

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
  const slots = weightSlots(layout);
  const record = Object.fromEntries(slots.flatMap((s, i) => [[s.weight.key, values.weights[i]], [s.bias.key, values.biases[i]]]));
  return fillSlots(slots.flatMap((s) => [s.weight, s.bias]), record, new Float32Array(params));
}

/** Copies of the tensors of `slots` in `flat` (parameters, or optimizer state), keyed `layers.{i}.{name}`. */
export function tensorsOf(slots: TensorSlot[], flat: Float32Array): Record<string, Float32Array> {
  return Object.fromEntries(slots.map((slot) => [slot.key, copy(flat, slot)]));
}

/** Writes `values` (keyed as tensorsOf gives them) into their slots of `flat`, and returns it; slots without a value keep theirs. */
export function fillSlots(slots: TensorSlot[], values: Record<string, Float32Array>, flat: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> {
  for (const slot of slots) if (values[slot.key]) flat.set(values[slot.key], slot.offset);
  return flat;
}

/** The tensors model files hold, and those the optimizer updates (whose state checkpoints hold). */
export const savedSlots = (layout: ParamLayout): TensorSlot[] => layout.tensors.filter((t) => t.spec.saved);
export const trainedSlots = (layout: ParamLayout): TensorSlot[] => layout.tensors.filter((t) => t.spec.trained);

/** Every saved tensor of `params`, with its shape: getTensors' answer. */
export function shapedTensors(layout: ParamLayout, params: Float32Array): Tensors {
  return Object.fromEntries(savedSlots(layout).map((slot) => [slot.key, { shape: [...slot.spec.shape], data: copy(params, slot) }]));
}

/** Throws ArgumentError unless `values` holds every weight and bias getWeights gives, of their sizes, finite. */
export function checkWeights(layout: ParamLayout, values: Weights): void {
  const slots = weightSlots(layout);
  for (const kind of ['weights', 'biases'] as const) {
    const tensors = values?.[kind];
    if (!Array.isArray(tensors) || tensors.length !== slots.length) throw new ArgumentError(kind, tensors, `an array of ${slots.length} Float32Arrays`);
    tensors.forEach((tensor, i) => {
      const slot = kind === 'weights' ? slots[i].weight : slots[i].bias;
      checkedValues(`${kind}[${i}]`, tensor, slot.length, `(${slot.spec.shape.join(', ')})`);
    });
  }
}

/** The record setTensors was given, checked: known names, their shapes and sizes, finite values. Throws ArgumentError. */
export function checkTensors(layout: ParamLayout, values: Record<string, { shape?: number[]; data: Float32Array } | Float32Array>): TensorRecord {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new ArgumentError('tensors', values, 'an object of tensors keyed as getTensors gives them');
  const slots = new Map(savedSlots(layout).map((slot) => [slot.key, slot]));
  const record: TensorRecord = {};
  for (const [key, value] of Object.entries(values)) {
    const slot = slots.get(key);
    if (!slot) throw new ArgumentError(`tensors['${key}']`, value, `a tensor of this model: ${[...slots.keys()].join(', ')}`);
    const shape = slot.spec.shape;
    if (!(value instanceof Float32Array) && value?.shape !== undefined && value.shape.join(',') !== shape.join(',')) {
      throw new ArgumentError(`tensors['${key}'].shape`, value.shape, `[${shape.join(', ')}]`);
    }
    record[key] = checkedValues(`tensors['${key}']`, value instanceof Float32Array ? value : value?.data, slot.length, `(${shape.join(', ')})`);
  }
  return record;
}

/** `values` if it is a Float32Array of `length` finite numbers; else ArgumentError naming `at` and the `shape` wanted. */
function checkedValues(at: string, values: unknown, length: number, shape: string): Float32Array {
  if (!(values instanceof Float32Array) || values.length !== length) {
    throw new ArgumentError(at, (values as { length?: number })?.length ?? values, `a Float32Array of ${length} values ${shape}`);
  }
  const bad = values.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new ArgumentError(`${at}[${bad}]`, values[bad], 'a finite number');
  return values;
}
