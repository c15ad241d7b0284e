// A dense (fully connected) layer: out = act(inp · weightᵀ + bias), weight (units, in) as torch.nn.Linear
// stores it. It takes a flat input: a vector (C × 1 × 1), or what a flatten layer made.
// When its input is the data itself and the products are register-blocked, they skip the input's zero blocks.

import { ArgumentError } from '../errors';
import { type Activation, IDENTITY } from '../ops/activation';
import { biasGrad, biasGradPipeline } from '../ops/bias_grad';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward, matmulKernel } from '../ops/matmul';
import { nonzeroMasks, nonzeroMaskWords, nonzeroPipeline } from '../ops/nonzero';
import type { Op, Tensor } from '../ops/op';
import { count } from '../check';
import type { Layout } from '../ops/layout';
import { type BuildContext, describeShape, featuresOf, type Layer, LayerDefaults, type LayerOps, type ParamShapes, Scratch, type Shape } from './layer';
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

export class DenseLayer extends LayerDefaults implements Layer {
  readonly output: Shape;
  readonly params: ParamShapes;

  constructor(readonly index: number, readonly spec: DenseSpec, readonly input: Shape) {
    super();
    const nIn = featuresOf(input);
    this.output = { channels: spec.units, height: 1, width: 1, flat: true };
    this.params = { weight: [spec.units, nIn], bias: [spec.units], fanIn: nIn, fanOut: spec.units };
  }

  override outputLayout(): Layout {
    return 'chw';
  }

  async build(ctx: BuildContext): Promise<LayerOps> {
    const { gpu, label } = ctx;
    const params = ctx.params!;
    const dims = { nIn: featuresOf(this.input), nOut: this.spec.units };
    // The data is often mostly zeros (MNIST: 81%): register-blocked products skip its zero blocks, guided by masks.
    const sparse = ctx.inputIsData && !ctx.matmul.tiled;
    const scratch = new Scratch(ctx);
    const forward: Op[] = [];
    let masks: { byRows: Tensor; byColumns: Tensor } | undefined;
    if (sparse) {
      const words = nonzeroMaskWords(ctx.capacity, dims.nIn);
      masks = { byRows: scratch.floats('mask.byRows', words.byRows), byColumns: scratch.floats('mask.byColumns', words.byColumns) };
      forward.push(nonzeroMasks(gpu, await nonzeroPipeline(gpu), `${label}.inputMasks`, dims.nIn, { inp: { buffer: ctx.inp }, ...masks }));
    }
    const forwardKernel = await matmulKernel(gpu, 'forward', this.spec.activation, ctx.matmul, { m: ctx.capacity, n: dims.nOut }, { sparse });
    forward.push(matmulForward(gpu, forwardKernel, `${label}.forward`, dims,
      { inp: { buffer: ctx.inp }, weight: params.weight, bias: params.bias, out: { buffer: ctx.out }, mask: masks?.byRows }));
    if (!ctx.training) return { forward, backward: [], scratch: scratch.buffers };

    const dout = { buffer: ctx.dout! };
    const backward = [
      matmulBackwardWeight(gpu, await matmulKernel(gpu, 'backwardWeight', IDENTITY, ctx.matmul,
        sparse ? { m: dims.nIn, n: dims.nOut } : { m: dims.nOut, n: dims.nIn }, { sparse }), `${label}.weightGrad`, dims,
        { dout, inp: { buffer: ctx.inp }, dweight: params.dweight, mask: masks?.byColumns }),
      biasGrad(gpu, await biasGradPipeline(gpu, dims.nOut), `${label}.biasGrad`, dims.nOut, 1, { dout, dbias: params.dbias }),
    ];
    if (ctx.dinp) {
      backward.push(matmulBackwardInput(gpu, await matmulKernel(gpu, 'backwardInput', ctx.previous, ctx.matmul, { m: ctx.capacity, n: dims.nIn }), `${label}.inputGrad`, dims,
        { dout, weight: params.weight, inp: { buffer: ctx.inp }, dinp: { buffer: ctx.dinp } }));
    }
    return { forward, backward, scratch: scratch.buffers };
  }
}
