// Where each tensor of every layer lives in the flat parameter buffer. Three regions, each in layer order:
// the trained tensors L2 decays (dense and conv weights), the other trained tensors (biases, batch norm's γ
// and β), then the tensors the optimizer never touches (running statistics). The optimizer updates the first
// two regions and decays the first. Each tensor starts at the device's storage offset alignment so it can be
// bound on its own; padding stays zero. The gradient buffer has the same layout.

import type { Layer, TensorSpec } from '../layers/layer';

export interface Slot {
  /** In floats. */
  offset: number;
  length: number;
}

/** One layer's tensor and its place. */
export interface TensorSlot extends Slot {
  /** `layers.{i}.{name}`: its name in model files, checkpoints, ONNX and getTensors. */
  key: string;
  /** The index of the layer that owns it. */
  layer: number;
  spec: TensorSpec;
}

export interface ParamLayout {
  /** Every layer's tensors, in layer order and each layer's own order. */
  tensors: TensorSlot[];
  /** Floats before the first tensor L2 does not decay. */
  decayedFloats: number;
  /** Floats before the first untrained tensor: what the optimizer updates (and its state's size). */
  trainedFloats: number;
  totalFloats: number;
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export const tensorKey = (layer: number, name: string): string => `layers.${layer}.${name}`;

export function paramLayout(layers: Layer[], alignFloats: number): ParamLayout {
  const owned = layers.flatMap((layer) => layer.tensors.map((spec) => ({ layer: layer.index, spec })));
  const align = (floats: number) => Math.ceil(floats / alignFloats) * alignFloats;
  let end = 0;
  const place = ({ layer, spec }: { layer: number; spec: TensorSpec }): TensorSlot => {
    const offset = align(end);
    end = offset + product(spec.shape);
    return { key: tensorKey(layer, spec.name), layer, spec, offset, length: product(spec.shape) };
  };
  const decayed = owned.filter((t) => t.spec.trained && t.spec.decayed).map(place);
  const decayedFloats = align(end);
  const trained = owned.filter((t) => t.spec.trained && !t.spec.decayed).map(place);
  const trainedFloats = align(end);
  const fixed = owned.filter((t) => !t.spec.trained).map(place);
  const byKey = new Map([...decayed, ...trained, ...fixed].map((slot) => [slot.key, slot]));
  return { tensors: owned.map((t) => byKey.get(tensorKey(t.layer, t.spec.name))!), decayedFloats, trainedFloats, totalFloats: align(end) };
}

/** Layer `layer`'s tensors' slots, by name. */
export function slotsOf(layout: ParamLayout, layer: number): Record<string, TensorSlot> {
  return Object.fromEntries(layout.tensors.filter((t) => t.layer === layer).map((t) => [t.spec.name, t]));
}

/** The binding of one slot of a flat float buffer. */
export const slotBinding = (buffer: GPUBuffer, slot: Slot): GPUBufferBinding => ({
  buffer,
  offset: slot.offset * 4,
  size: slot.length * 4,
});
