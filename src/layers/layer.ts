// What every layer type provides (one file each in this folder, listed in ./index.ts): its resolved spec, the
// shapes it takes and gives, the tensors it owns, the ops it adds to the forward and backward halves of a
// training step, its CPU twin (the oracle) and its ONNX nodes. The plan (src/model/plan.ts), the model file,
// the reference model and the ONNX export walk the list; none of them asks which type a layer is.

import type { OnnxGraph } from '../model/onnx_graph';
import type { Activation } from '../ops/activation';
import type { ConvStrategy } from '../ops/conv2d';
import type { MatmulStrategy } from '../ops/matmul';
import type { Layout } from '../ops/layout';
import type { Op, Tensor } from '../ops/op';
import type { Gpu } from '../runtime/gpu';

/** What every layer's resolved spec has: its type and the activation applied to its output. */
export interface BaseSpec {
  type: string;
  activation: Activation;
}

/** One sample's values: (channels, height, width); `flat` once a flatten or dense layer has made it a vector. */
export interface Shape {
  channels: number;
  height: number;
  width: number;
  flat: boolean;
}

export const featuresOf = (s: Shape): number => s.channels * s.height * s.width;
export const describeShape = (s: Shape): string => (s.flat ? `${featuresOf(s)}` : `${s.channels} × ${s.height} × ${s.width}`);

/**
 * One tensor a layer owns, stored in the model's flat parameter buffer (src/model/layout.ts) and named
 * `layers.{index}.{name}` in model files, checkpoints and ONNX, as PyTorch's state_dict names it.
 */
export interface TensorSpec {
  name: string;
  /** As PyTorch stores it, e.g. a dense weight (out, in). */
  shape: number[];
  /** randn · the model's init scale for these fans ('xavier' or 'he'), or every value `fill`. */
  init: { fanIn: number; fanOut: number } | { fill: number };
  /** Whether the optimizer updates it (it then has a gradient). */
  trained: boolean;
  /** Whether the L2 penalty decays it. */
  decayed: boolean;
  /** Whether model files and checkpoints hold it. */
  saved: boolean;
}

/** A weight (decayed) and a bias (not), both trained: what dense and conv2d layers own. */
export const weightAndBias = (weight: number[], bias: number[], fanIn: number, fanOut: number): TensorSpec[] => [
  { name: 'weight', shape: weight, init: { fanIn, fanOut }, trained: true, decayed: true, saved: true },
  { name: 'bias', shape: bias, init: { fill: 0 }, trained: true, decayed: false, saved: true },
];

/** A layer's tensors' values on the CPU, by tensor name (e.g. `weight`), row-major. */
export type TensorValues = Record<string, Float64Array>;

/** How a twin runs: training or not; and in training, the seed of the step's dropout masks. */
export interface TwinPass {
  training: boolean;
  dropoutSeed?: number;
}

/** A twin's forward: its output before its activation, and new values of tensors it updates (running statistics). */
export interface TwinForward {
  out: Float64Array;
  updated?: TensorValues;
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
  /** Whether a convolution that fits the direct kernel (src/ops/conv_direct.ts) runs its forward there (measured per adapter). */
  direct: boolean;
  /** Whether Winograd's forward products read its transformed weights from a texture (src/ops/winograd.ts; measured per adapter). */
  texels: boolean;
  /** Whether a dense layer reading the data reads it, its weight and output gradient from textures (src/layers/dense.ts; measured per adapter). */
  dataTexels: boolean;
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
  /** Its tensors' slots of the parameter buffer, by name. */
  tensors: Record<string, Tensor>;
  /** Training: its trained tensors' slots of the gradient buffer, by name (`weight` for dweight). */
  grads: Record<string, Tensor>;
}

/** The buffers (and textures) a layer makes for one plan, labelled after the layer and listed for the plan to release. */
export class Scratch {
  readonly buffers: (GPUBuffer | GPUTexture)[] = [];

  constructor(private readonly ctx: BuildContext) {}

  /** A buffer of `count` floats (or u32 words). */
  floats(name: string, count: number): Tensor {
    return this.keep(this.ctx.gpu.buffer(`${this.ctx.label}.${name}`, count * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC));
  }

  /** A read-only buffer holding `values`. */
  upload(name: string, values: Uint32Array): Tensor {
    return this.keep(this.ctx.gpu.upload(`${this.ctx.label}.${name}`, values, GPUBufferUsage.STORAGE));
  }

  /** A texture of width × height rgba32float texels. */
  texels(name: string, width: number, height: number): GPUTexture {
    const texture = this.ctx.gpu.texels(`${this.ctx.label}.${name}`, width, height);
    this.buffers.push(texture);
    return texture;
  }

  private keep(buffer: GPUBuffer): Tensor {
    this.buffers.push(buffer);
    return { buffer };
  }
}

/** A layer's ops in one plan, in the order they run, and the scratch buffers (and textures) it made for them. */
export interface LayerOps {
  forward: Op[];
  backward: Op[];
  scratch: (GPUBuffer | GPUTexture)[];
}

/**
 * What most layer types share, for them to override: no matrix products or scratch of their own, output stored
 * as the input is, never the input buffer itself, and a gradient that does not pass through unchanged.
 */
export abstract class LayerDefaults {
  readonly tensors: TensorSpec[] = [];
  readonly productRows: number = 1;
  readonly scratchPerSample: number = 0;
  readonly takesImage: boolean = false;
  readonly convolves: boolean = false;
  readonly fitsDirect: boolean = false;

  outputLayout(layout: Layout): Layout {
    return layout;
  }

  aliases(_layout: Layout, _training: boolean): boolean {
    return false;
  }

  passesGradient(_layout: Layout): boolean {
    return false;
  }

  fusesWith(_next: Layer | undefined, _conv: ConvStrategy): boolean {
    return false;
  }
}

export interface Layer {
  /** Its place in the model's layer list. */
  readonly index: number;
  readonly spec: BaseSpec;
  readonly input: Shape;
  readonly output: Shape;
  /** Every tensor it owns, in the order it initialises them (empty for none). */
  readonly tensors: TensorSpec[];
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
  /** Whether its forward product also does `next`'s work, so that the plan stores only next's output (a conv's fused pool). */
  fusesWith(next: Layer | undefined, conv: ConvStrategy): boolean;
  /** Whether it works on (C, H, W) images: an ONNX graph then takes its input as (N, C, H, W). */
  readonly takesImage: boolean;
  /** Whether it runs convolutions: a plan then needs the adapter's measured ConvStrategy. */
  readonly convolves: boolean;
  /** Whether the direct kernel (src/ops/conv_direct.ts) fits it: a plan then needs the adapter's measured choice of that kernel. */
  readonly fitsDirect: boolean;
  build(ctx: BuildContext): Promise<LayerOps>;
  /** The CPU twin of its forward ops: x (rows, in features) channels first; its output before its activation. */
  twinForward(x: Float64Array, tensors: TensorValues, rows: number, pass: TwinPass): TwinForward;
  /**
   * The CPU twin of its backward ops, from dout = ∂loss/∂(its output before its activation): dx = ∂loss/∂x
   * (the walker applies the previous layer's activation derivative) and its trained tensors' gradients.
   */
  twinBackward(x: Float64Array, dout: Float64Array, tensors: TensorValues, rows: number, pass: TwinPass): { dx: Float64Array; grads: TensorValues };
  /** Adds its nodes (all but its activation's, which the graph adds) to an ONNX graph. */
  onnx(graph: OnnxGraph): void;
}

/** A token of the layer syntax (src/layers/syntax.ts), split: `conv5x5x24/2+same` is conv, 5x5x24, 2, [same]. */
export interface Token {
  name: string;
  /** The text after the name: numbers joined by x (5x5x24), a rate (0.25), or nothing. */
  size: string;
  /** After /, if any: only for a type whose syntax is `strided`. */
  stride?: string;
}

/** How one layer type is written in the layer syntax. `fail(expected)` throws LayerSyntaxError. */
export interface LayerSyntax<O> {
  /** The names its tokens start with, e.g. ['maxpool', 'avgpool']. */
  names: string[];
  /** Its lines of LAYER_SYNTAX. */
  help: string;
  /** Whether it takes /STRIDE. */
  strided?: boolean;
  /** Whether it takes +relu and the like (not an activation layer: it is one). Default true. */
  activates?: boolean;
  parse(token: Token, fail: (expected: string) => never): O;
  /** Its own +options (a convolution's +same): the options with `option` applied, or undefined if it is not one. */
  option?(layer: O, option: string, fail: (expected: string) => never): O | undefined;
}

/** One layer type: its `type` values, how options make a layer, and its syntax. src/layers/index.ts lists them. */
export interface LayerKind<O extends { type: string }, S extends BaseSpec> {
  types: O['type'][];
  make(options: O, index: number, input: Shape): Layer & { spec: S };
  syntax: LayerSyntax<O>;
}
