// A dense (fully connected) layer: out = act(inp · weightᵀ + bias), weight (units, in) as torch.nn.Linear
// stores it. It takes a flat input: a vector (C × 1 × 1), or what a flatten layer made.
// When its input is the data itself and the products are register-blocked, they skip the input's zero blocks;
// where the autotune finds it faster (with 8 × 8 blocks, and inputs and units multiples of 4), they read the
// batch, the weight and the output gradient from textures, 4 values a texel, copied there each step (src/ops/texels.ts).

import { ArgumentError } from '../errors';
import { type Activation, IDENTITY } from '../ops/activation';
import { biasGrad, biasGradPipeline } from '../ops/bias_grad';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward, matmulKernel, type Operand } from '../ops/matmul';
import { nonzeroMasks, nonzeroMaskWords, nonzeroPipeline } from '../ops/nonzero';
import type { Op, Tensor } from '../ops/op';
import { copyInOrder, inOrderFits, LINE, linesOf } from '../ops/texels';
import { count } from '../check';
import { intAttribute, type OnnxGraph } from '../model/onnx_graph';
import * as k from '../reference/kernels';
import type { Layout } from '../ops/layout';
import { type BuildContext, describeShape, featuresOf, type Layer, LayerDefaults, type LayerKind, type LayerOps, Scratch, type Shape, type TensorSpec,
  type TensorValues, weightAndBias } from './layer';
import { type ActivationOption, activationOf, onlyFields } from './options';

export interface DenseOptions {
  type: 'dense';
  units: number;
  /** Default 'identity'. */
  activation?: ActivationOption;
}

export interface DenseSpec {
  type: 'dense';
  units: number;
  activation: Activation;
}

export function dense(options: DenseOptions, index: number, input: Shape): DenseLayer {
  const at = `layers[${index}]`;
  onlyFields(at, options, ['type', 'units', 'activation']);
  if (input.height * input.width !== 1 && !input.flat) {
    throw new ArgumentError(`${at}.type`, 'dense', `a layer that takes a ${describeShape(input)} input: a dense layer takes a flat one, so put { type: 'flatten' } before it`);
  }
  return new DenseLayer(index, { type: 'dense', units: count(`${at}.units`, options.units), activation: activationOf(`${at}.activation`, options.activation, 'identity') }, input);
}

export const denseKind: LayerKind<DenseOptions, DenseSpec> = {
  types: ['dense'],
  make: dense,
  syntax: {
    names: ['dense'],
    help: '  dense128                a dense layer of 128 units',
    parse({ size }, fail) {
      if (!/^\d+$/.test(size) || Number(size) < 1) fail('dense<UNITS>, e.g. dense128');
      return { type: 'dense', units: Number(size) };
    },
  },
};

export class DenseLayer extends LayerDefaults implements Layer {
  readonly output: Shape;
  /** weight (units, in), bias (units) */
  override readonly tensors: TensorSpec[];
  private readonly nIn: number;

  constructor(readonly index: number, readonly spec: DenseSpec, readonly input: Shape) {
    super();
    this.nIn = featuresOf(input);
    this.output = { channels: spec.units, height: 1, width: 1, flat: true };
    this.tensors = weightAndBias([spec.units, this.nIn], [spec.units], this.nIn, spec.units);
  }

  override outputLayout(): Layout {
    return 'chw';
  }

  async build(ctx: BuildContext): Promise<LayerOps> {
    const { gpu, label } = ctx;
    const dims = { nIn: featuresOf(this.input), nOut: this.spec.units };
    // The data is often mostly zeros (MNIST: 81%): register-blocked products skip its zero blocks, guided by masks.
    const sparse = ctx.inputIsData && !ctx.matmul.tiled;
    const texels = sparse && ctx.dataTexels && ctx.matmul.block === 8 && inOrderFits(gpu, ctx.capacity, dims.nIn) && inOrderFits(gpu, dims.nOut, dims.nIn) &&
      inOrderFits(gpu, ctx.capacity, dims.nOut);
    const scratch = new Scratch(ctx);
    const forward: Op[] = [];
    let masks: { byRows: Tensor; byColumns: Tensor } | undefined;
    if (sparse) {
      const words = nonzeroMaskWords(ctx.capacity, dims.nIn, ctx.matmul.block);
      masks = { byRows: scratch.floats('mask.byRows', words.byRows), byColumns: scratch.floats('mask.byColumns', words.byColumns) };
      forward.push(nonzeroMasks(gpu, await nonzeroPipeline(gpu, ctx.matmul.block, dims.nIn), `${label}.inputMasks`, dims.nIn, { inp: { buffer: ctx.inp }, ...masks }));
    }
    // With texels: the batch (capacity, n_in) and the weight (n_out, n_in) copied into textures, for the forward.
    const toTexels = (name: string, src: Tensor, rows: number, cols: number, batch: boolean): [Op, GPUTexture] => {
      const texels = scratch.texels(name, LINE, linesOf(rows, cols));
      return [copyInOrder(`${label}.${name}`, rows, cols, batch, { src, texels }), texels];
    };
    let inp: Operand = { buffer: ctx.inp };
    let weight: Operand = ctx.tensors.weight;
    if (texels) {
      const [inpCopy, inpTexels] = toTexels('inputTexels', { buffer: ctx.inp }, ctx.capacity, dims.nIn, true);
      const [weightCopy, weightTexels] = toTexels('weightTexels', ctx.tensors.weight, dims.nOut, dims.nIn, false);
      forward.push(inpCopy, weightCopy);
      [inp, weight] = [inpTexels, weightTexels];
    }
    const forwardKernel = await matmulKernel(gpu, 'forward', this.spec.activation, ctx.matmul, { m: ctx.capacity, n: dims.nOut }, { sparse, texels });
    forward.push(matmulForward(gpu, forwardKernel, `${label}.forward`, dims, { inp, weight, bias: ctx.tensors.bias, out: { buffer: ctx.out }, mask: masks?.byRows }));
    if (!ctx.training) return { forward, backward: [], scratch: scratch.buffers };

    const dout = { buffer: ctx.dout! };
    const backward: Op[] = [];
    let doutRead: Operand = dout;
    if (texels) {
      const [doutCopy, doutTexels] = toTexels('doutTexels', dout, ctx.capacity, dims.nOut, true);
      backward.push(doutCopy);
      doutRead = doutTexels;
    }
    backward.push(
      matmulBackwardWeight(gpu, await matmulKernel(gpu, 'backwardWeight', IDENTITY, ctx.matmul,
        sparse ? { m: dims.nIn, n: dims.nOut } : { m: dims.nOut, n: dims.nIn }, { sparse, texels }), `${label}.weightGrad`, dims,
        { dout: doutRead, inp, dweight: ctx.grads.weight, mask: masks?.byColumns }),
      biasGrad(gpu, await biasGradPipeline(gpu, dims.nOut), `${label}.biasGrad`, dims.nOut, 1, { dout, dbias: ctx.grads.bias }),
    );
    if (ctx.dinp) {
      backward.push(matmulBackwardInput(gpu, await matmulKernel(gpu, 'backwardInput', ctx.previous, ctx.matmul, { m: ctx.capacity, n: dims.nIn }), `${label}.inputGrad`, dims,
        { dout, weight: ctx.tensors.weight, inp: { buffer: ctx.inp }, dinp: { buffer: ctx.dinp } }));
    }
    return { forward, backward, scratch: scratch.buffers };
  }

  twinForward(x: Float64Array, t: TensorValues, rows: number) {
    return { out: k.matmulForward(x, t.weight, t.bias, rows, this.nIn, this.spec.units, IDENTITY) };
  }

  twinBackward(x: Float64Array, dout: Float64Array, t: TensorValues, rows: number) {
    const { nIn, spec: { units } } = this;
    return {
      dx: k.matmulBackwardInput(dout, t.weight, x, rows, nIn, units, IDENTITY),
      grads: { weight: k.matmulBackwardWeight(dout, x, rows, nIn, units), bias: k.biasGrad(dout, rows, units) },
    };
  }

  onnx(graph: OnnxGraph): void {
    const at = `layers.${this.index}`;
    graph.flatten(at);
    graph.add('Gemm', [graph.x, `${at}.weight`, `${at}.bias`], `${at}.gemm`, [intAttribute('transB', 1)]);
  }
}
