// What every layer type provides (one file each in this folder): its resolved spec, the shapes it takes and
// gives, its parameters' shapes, and the ops it adds to the forward and backward halves of a training step.
// The plan (src/model/plan.ts) walks the list, gives each layer its buffers and collects the ops.

import type { Activation } from '../ops/activation';
import type { ConvStrategy } from '../ops/conv2d';
import type { MatmulStrategy } from '../ops/matmul';
import type { Layout } from '../ops/layout';
import type { Op, Tensor } from '../ops/op';
import type { Gpu } from '../runtime/gpu';
import type { LayerSpec } from './index';

/** One sample's values: (channels, height, width); `flat` once a flatten or dense layer has made it a vector. */
export interface Shape {
  channels: number;
  height: number;
  width: number;
  flat: boolean;
}

export const featuresOf = (s: Shape): number => s.channels * s.height * s.width;
export const describeShape = (s: Shape): string => (s.flat ? `${featuresOf(s)}` : `${s.channels} × ${s.height} × ${s.width}`);

/** A layer's weight and bias shapes (as PyTorch stores them) and the fans that scale its initial weights. */
export interface ParamShapes {
  weight: number[];
  bias: number[];
  fanIn: number;
  fanOut: number;
}

/** The buffers a layer works on in one plan (batches of up to `capacity` rows), and what it may use. */
export interface BuildContext {
  gpu: Gpu;
  /** e.g. `model0.train64.layers[3]`: every GPU object the layer makes is labelled from it. */
  label: string;
  capacity: number;
  training: boolean;
  matmul: MatmulStrategy;
  /** How convolutions get their patches (measured per adapter). */
  conv: ConvStrategy;
  /** Its input (capacity, input features), as the previous layer wrote it, and how that is stored. */
  inp: GPUBuffer;
  inLayout: Layout;
  /** Whether inp is the gathered batch of data itself (no layer before has changed it). */
  inputIsData: boolean;
  /** Its output (capacity, output features), stored as outputLayout(inLayout) says; inp itself when it aliases. */
  out: GPUBuffer;
  /** Training: ∂loss/∂(its output before its activation). */
  dout?: GPUBuffer;
  /**
   * Training, when an earlier layer has parameters: where ∂loss/∂(its input before the previous layer's
   * activation) goes. dout itself when that is the same (see Layer.passesGradient).
   */
  dinp?: GPUBuffer;
  /** The activation of the layer that wrote inp (identity for the data): its derivative is applied to dinp. */
  previous: Activation;
  /**
   * When a convolution and the 2 × 2 max pool after it are fused (plan.ts), for both: argmax, which of each
   * window's 4 values won, per channel ((capacity, windows, channels) u32), and the pool's activation. The
   * convolution's forward writes the pool's output (its out) and argmax; the pool adds no forward op, and its
   * backward routes its gradient by argmax.
   */
  fused?: { argmax: GPUBuffer; activation: Activation };
  /** Its slots of the parameter and gradient buffers, for a layer with parameters. */
  params?: { weight: Tensor; bias: Tensor; dweight: Tensor; dbias: Tensor };
}

/** The buffers a layer makes for one plan, labelled after the layer and listed for the plan to release. */
export class Scratch {
  readonly buffers: GPUBuffer[] = [];

  constructor(private readonly ctx: BuildContext) {}

  /** A buffer of `count` floats (or u32 words). */
  floats(name: string, count: number): Tensor {
    return this.keep(this.ctx.gpu.buffer(`${this.ctx.label}.${name}`, count * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC));
  }

  /** A read-only buffer holding `values`. */
  upload(name: string, values: Uint32Array): Tensor {
    return this.keep(this.ctx.gpu.upload(`${this.ctx.label}.${name}`, values, GPUBufferUsage.STORAGE));
  }

  private keep(buffer: GPUBuffer): Tensor {
    this.buffers.push(buffer);
    return { buffer };
  }
}

/** A layer's ops in one plan, in the order they run, and the scratch buffers it made for them. */
export interface LayerOps {
  forward: Op[];
  backward: Op[];
  scratch: GPUBuffer[];
}

/**
 * What most layer types share, for them to override: no matrix products or scratch of their own, output stored
 * as the input is, never the input buffer itself, and a gradient that does not pass through unchanged.
 */
export abstract class LayerDefaults {
  readonly productRows: number = 1;
  readonly scratchPerSample: number = 0;

  outputLayout(layout: Layout): Layout {
    return layout;
  }

  aliases(_layout: Layout, _training: boolean): boolean {
    return false;
  }

  passesGradient(_layout: Layout): boolean {
    return false;
  }
}

export interface Layer {
  /** Its place in the model's layer list. */
  readonly index: number;
  readonly spec: LayerSpec;
  readonly input: Shape;
  readonly output: Shape;
  readonly params?: ParamShapes;
  /** Rows its matrix products have per sample: a convolution's output positions, else 1. */
  readonly productRows: number;
  /** Floats per sample of the largest scratch buffer it may make (0 for none). */
  readonly scratchPerSample: number;
  /** How its output is stored when its input is stored as `layout`. */
  outputLayout(layout: Layout): Layout;
  /** Whether its output is its input buffer, untouched (it adds no forward op). */
  aliases(layout: Layout, training: boolean): boolean;
  /** Whether the gradient of its input is that of its output (before the previous layer's activation). */
  passesGradient(layout: Layout): boolean;
  build(ctx: BuildContext): Promise<LayerOps>;
}
