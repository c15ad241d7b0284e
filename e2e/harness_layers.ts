// Each layer type's ops (src/layers/, built as a plan builds them) run alone on the GPU and compared with the
// layer's twin in src/reference/model.ts: its output, and from a random dout its input gradient (through the
// previous layer's activation) and its parameter gradients. Inputs come stored either way (channels first, as
// data is, or channels last, as a convolution writes), in buffers larger than the batch whose other rows hold junk.

import { Random } from '../src/random';
import { type LayerOptions, layersOf } from '../src/layers';
import { featuresOf, type Layer } from '../src/layers/layer';
import { type ActivationOption, activationOf } from '../src/layers/options';
import { IDENTITY } from '../src/ops/activation';
import type { Layout } from '../src/ops/layout';
import { strides } from '../src/ops/layout';
import type { MatmulStrategy } from '../src/ops/matmul';
import type { ConvStrategy } from '../src/ops/conv2d';
import { Recorder } from '../src/ops/op';
import { activate } from '../src/reference/kernels';
import { layerBackward, layerForward } from '../src/reference/model';
import { paramLayout, slotBinding, slotsOf } from '../src/model/layout';
import { Schedule } from '../src/model/schedule';
import { type Comparison, compare, getGpu, STORAGE } from './harness_gpu';

export interface LayerCase {
  input: [number, number, number];
  layer: LayerOptions;
  /** How the layer's input is stored, and the activation of the layer that made it. */
  inLayout: Layout;
  previous: ActivationOption;
  strategy: MatmulStrategy;
  /** How a convolution gets its patches (im2col by default). */
  conv?: ConvStrategy;
  /** Whether Winograd's forward products read its transformed weights from a texture (no by default). */
  texels?: boolean;
  rows: number;
  /** Rows the buffers hold (>= rows). */
  capacity: number;
  seed: number;
}

export interface LayerComparison {
  forward: Comparison;
  dinp: Comparison;
  /** Each trained tensor's gradient, by name (a dense or conv layer's `weight` and `bias`). */
  grads: Record<string, Comparison>;
  /** Each tensor the training pass updates (batch norm's running statistics), by name. */
  updated: Record<string, Comparison>;
  /** The ops the layer added, by label: shows which paths ran (e.g. a pointwise pass for an activation). */
  ops: string[];
  /** Whether its output was its input buffer, and its input gradient its output gradient's. */
  aliased: { output: boolean; gradient: boolean };
}

/** The layer alone, made valid as a model's first layer by a tail that ends in a dense layer. */
function layerOf(input: [number, number, number], layer: LayerOptions): Layer {
  const flatOutput = layer.type === 'dense' || layer.type === 'flatten' || input[1] * input[2] === 1;
  return layersOf(input, [layer, ...(flatOutput ? [] : [{ type: 'flatten' }]), { type: 'dense', units: 2 }] as LayerOptions[])[0];
}

/** (rows, C, H, W) values stored in `layout`, and back. */
function toLayout(values: ArrayLike<number>, rows: number, shape: Layer['input'], layout: Layout, back = false): Float32Array {
  const [c, h, w] = [shape.channels, shape.height, shape.width];
  const [cs, ys, xs] = strides(layout, c, h, w);
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const [logical, stored] = [r * c * h * w + (ch * h + y) * w + x, r * c * h * w + ch * cs + y * ys + x * xs];
          if (back) out[logical] = values[stored];
          else out[stored] = values[logical];
        }
      }
    }
  }
  return out;
}

export async function layerCase(c: LayerCase): Promise<LayerComparison> {
  const gpu = await getGpu();
  const random = new Random(c.seed);
  const layer = layerOf(c.input, c.layer);
  const plain = layerOf(c.input, { ...c.layer, activation: 'identity' } as LayerOptions); // for the scales of sums
  const previous = activationOf('previous', c.previous, 'identity');
  const outLayout = layer.outputLayout(c.inLayout);
  const [inFeatures, outFeatures] = [featuresOf(layer.input), featuresOf(layer.output)];
  const uniforms = (n: number, scale = 1) => Float64Array.from({ length: n }, () => (random.uniform() * 2 - 1) * scale);
  const x = uniforms(c.rows * inFeatures, 3).map((v) => Math.fround(activate(v, previous))); // as the previous layer would give it
  const dout = uniforms(c.rows * outFeatures).map(Math.fround);
  const junk = (n: number, stored: Float32Array) => { const full = new Float32Array(n).fill(7); full.set(stored); return full; };
  const inp = gpu.upload('case.inp', junk(c.capacity * inFeatures, toLayout(x, c.rows, layer.input, c.inLayout)), STORAGE);
  const doutBuffer = gpu.upload('case.dout', junk(c.capacity * outFeatures, toLayout(dout, c.rows, layer.output, outLayout)), STORAGE);
  const aliased = { output: layer.aliases(c.inLayout, true), gradient: layer.passesGradient(c.inLayout) && previous.name === 'identity' };
  const out = aliased.output ? inp : gpu.upload('case.out', new Float32Array(c.capacity * outFeatures).fill(NaN), STORAGE);
  const dinp = aliased.gradient ? doutBuffer : gpu.upload('case.dinp', new Float32Array(c.capacity * inFeatures).fill(NaN), STORAGE);

  // Its tensors: weights and biases in ±0.5, the others (running statistics) 0.5 to 1.5 (a variance stays positive).
  const layout = paramLayout([layer], gpu.device.limits.minStorageBufferOffsetAlignment / 4);
  const slots = Object.values(slotsOf(layout, layer.index));
  const tensors = Object.fromEntries(slots.map((s) => [s.spec.name, uniforms(s.length, 0.5).map((v) => Math.fround(s.spec.trained ? v : v + 1))]));
  const flat = new Float32Array(Math.max(4, layout.totalFloats));
  for (const s of slots) flat.set(tensors[s.spec.name], s.offset);
  const params = gpu.upload('case.params', flat, STORAGE);
  const grads = gpu.upload('case.grads', new Float32Array(flat.length).fill(NaN), STORAGE);
  const bind = (buffer: GPUBuffer, trained: boolean) => Object.fromEntries(slots.filter((s) => !trained || s.spec.trained).map((s) => [s.spec.name, slotBinding(buffer, s)]));
  const ops = await layer.build({
    gpu, label: 'case.layer', capacity: c.capacity, training: true, matmul: c.strategy, conv: c.conv ?? 'im2col', direct: false, texels: c.texels ?? false, dataTexels: false,
    inp, inLayout: c.inLayout, inputIsData: false, out, dout: doutBuffer, dinp, previous,
    tensors: bind(params, false), grads: bind(grads, true),
  });
  const seed = random.nextU32();
  const schedule = new Schedule(gpu, 'case');
  schedule.write([{ batchStart: 0, rows: c.rows, learningRate: 0, adamC1: 1, adamC2: 1, seed }]);
  const encoder = gpu.device.createCommandEncoder({ label: 'case' });
  const recorder = new Recorder(encoder, 'case');
  for (const op of [...ops.forward, ...ops.backward]) recorder.record(op, schedule.group, 0, c.rows);
  recorder.end();
  gpu.device.queue.submit([encoder.finish()]);

  const read = async (buffer: GPUBuffer, floats: number, shape: Layer['input'], stored: Layout) =>
    toLayout(new Float32Array(await gpu.read(buffer, 0, floats * 4)), c.rows, shape, stored, true);
  const twin = { training: true, dropoutSeed: seed };
  const abs = (v: Float64Array) => v.map(Math.abs);
  const absTensors = Object.fromEntries(Object.entries(tensors).map(([name, v]) => [name, abs(v)]));
  // Scales: each value's Σ|terms| (and at least its own size), what float32 rounding errors grow with. A layer
  // that normalizes (it updates statistics) subtracts means, so Σ|terms| says nothing: its scale is the largest value.
  const normalizes = slots.some((s) => !s.spec.trained);
  const atLeast = (scale: Float64Array, values: Float64Array) => {
    const largest = Math.max(...values.map(Math.abs));
    return scale.map((v, i) => (normalizes ? largest : Math.max(v, Math.abs(values[i]))));
  };
  const expectedOut = layerForward(layer, tensors, x, c.rows, twin);
  const outScale = atLeast(layerForward(plain, absTensors, abs(x), c.rows, twin).out, expectedOut.out);
  const expected = layerBackward(layer, tensors, x, dout, c.rows, previous, twin);
  const pooling = c.layer.type === 'maxPool2d' || c.layer.type === 'avgPool2d'; // which value a max routes to depends on x's signs
  const scales = layerBackward(plain, absTensors, pooling ? x : abs(x), abs(dout), c.rows, IDENTITY, twin);
  const slot = async (buffer: GPUBuffer, s: { offset: number; length: number }) => new Float32Array(await gpu.read(buffer, s.offset * 4, s.length * 4));
  const result: LayerComparison = {
    forward: compare(await read(out, c.rows * outFeatures, layer.output, outLayout), expectedOut.out, outScale),
    dinp: compare(await read(dinp, c.rows * inFeatures, layer.input, c.inLayout), expected.dx, atLeast(scales.dx, expected.dx)),
    grads: {}, updated: {},
    ops: [...ops.forward, ...ops.backward].map((op) => op.label.replace('case.layer.', '')),
    aliased,
  };
  for (const s of slots) {
    const name = s.spec.name;
    if (s.spec.trained) result.grads[name] = compare(await slot(grads, s), expected.grads[name], atLeast(scales.grads[name], expected.grads[name]));
    const update = expectedOut.updated?.[name];
    if (update) result.updated[name] = compare(await slot(params, s), update, update.map((v) => Math.max(1, Math.abs(v))));
  }
  for (const buffer of new Set([inp, doutBuffer, out, dinp, params, grads, schedule.buffer, ...ops.scratch,
    ...[...ops.forward, ...ops.backward].flatMap((op) => op.owned)])) gpu.release(buffer);
  return result;
}
