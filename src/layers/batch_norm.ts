// Batch normalization: each channel (of a conv or pooling layer's output: over batch, height and width) or
// each feature (of a flat input: over the batch) normalized to zero mean and unit variance, then scaled by
// γ (weight) and shifted by β (bias), as torch.nn.BatchNorm1d/2d do. Training uses the batch's statistics and
// moves the running ones, running = (1 - momentum) · running + momentum · batch (the unbiased variance);
// evaluate, predict and inspect use the running ones. Shape and layout are the input's.

import { finite } from '../check';
import type { OnnxGraph } from '../model/onnx_graph';
import { floatAttribute } from '../model/onnx_graph';
import type { Activation } from '../ops/activation';
import { batchNormForward, batchNormInputGrad, batchNormParamGrads, batchNormPipeline, batchNormStats, batchNormStatsPipeline, type NormShape } from '../ops/batch_norm';
import * as t from '../reference/batch_norm';
import { valuesShape } from './elementwise';
import { type BuildContext, type Layer, LayerDefaults, type LayerKind, type LayerOps, Scratch, type Shape, type TensorSpec,
  type TensorValues, type TwinPass } from './layer';
import { type ActivationOption, activationOf, onlyFields } from './options';

export interface BatchNormOptions {
  type: 'batchNorm';
  /** In (0, 1]: how far the running statistics move towards each batch's. Default 0.1. */
  momentum?: number;
  /** > 0, added to the variance. Default 1e-5. */
  epsilon?: number;
  /** Default 'identity'. */
  activation?: ActivationOption;
}

export interface BatchNormSpec {
  type: 'batchNorm';
  momentum: number;
  epsilon: number;
  activation: Activation;
}

export function batchNorm(options: BatchNormOptions, index: number, input: Shape): BatchNormLayer {
  const at = `layers[${index}]`;
  onlyFields(at, options, ['type', 'momentum', 'epsilon', 'activation']);
  return new BatchNormLayer(index, {
    type: 'batchNorm',
    momentum: finite(`${at}.momentum`, options.momentum, 0.1, 'a number in (0, 1]', (x) => x > 0 && x <= 1),
    epsilon: finite(`${at}.epsilon`, options.epsilon, 1e-5, 'a number > 0', (x) => x > 0),
    activation: activationOf(`${at}.activation`, options.activation, 'identity'),
  }, input);
}

export const batchNormKind: LayerKind<BatchNormOptions, BatchNormSpec> = {
  types: ['batchNorm'],
  make: batchNorm,
  syntax: {
    names: ['batchnorm'],
    help: '  batchnorm               batch normalization per channel (per feature on a flat input)',
    parse({ size }, fail) {
      if (size !== '') fail('batchnorm without a number');
      return { type: 'batchNorm' };
    },
  },
};

export class BatchNormLayer extends LayerDefaults implements Layer {
  readonly output: Shape;
  /** weight γ, bias β, running_mean, running_var: each (channels) */
  override readonly tensors: TensorSpec[];
  /** Normalized per channel over the batch and positions (a flat input: its features, each at 1 position). */
  private readonly channels: number;
  private readonly positions: number;

  constructor(readonly index: number, readonly spec: BatchNormSpec, readonly input: Shape) {
    super();
    this.output = input;
    this.channels = input.channels;
    this.positions = input.height * input.width;
    const tensor = (name: string, fill: number, trained: boolean): TensorSpec => ({ name, shape: [this.channels], init: { fill }, trained, decayed: false, saved: true });
    this.tensors = [tensor('weight', 1, true), tensor('bias', 0, true), tensor('running_mean', 0, false), tensor('running_var', 1, false)];
  }

  async build(ctx: BuildContext): Promise<LayerOps> {
    const { gpu, label, tensors: v, grads } = ctx;
    const shape: NormShape = { ...valuesShape(this.input, ctx.inLayout, false), epsilon: this.spec.epsilon, momentum: this.spec.momentum };
    const inp = { buffer: ctx.inp };
    const out = { buffer: ctx.out };
    const { activation } = this.spec;
    if (!ctx.training) { // the running statistics
      const forward = [batchNormForward(gpu, await batchNormPipeline(gpu, 'running', activation), `${label}.forward`, shape,
        { inp, gamma: v.weight, beta: v.bias, runningMean: v.running_mean, runningVar: v.running_var, out })];
      return { forward, backward: [], scratch: [] };
    }
    // The batch's statistics, and the running ones move.
    const scratch = new Scratch(ctx);
    const batch = scratch.floats('batch', 2 * this.channels); // (channels): mean, inv_std
    const forward = [
      batchNormStats(gpu, await batchNormStatsPipeline(gpu, 'forward'), `${label}.statistics`, shape, { inp, batch, runningMean: v.running_mean, runningVar: v.running_var }),
      batchNormForward(gpu, await batchNormPipeline(gpu, 'normalize', activation), `${label}.forward`, shape, { inp, gamma: v.weight, beta: v.bias, batch, out }),
    ];
    const dout = { buffer: ctx.dout! };
    const backward = [batchNormParamGrads(gpu, await batchNormStatsPipeline(gpu, 'backward'), `${label}.paramGrads`, shape,
      { inp, batch, dout, dgamma: grads.weight, dbeta: grads.bias })];
    if (ctx.dinp) {
      backward.push(batchNormInputGrad(gpu, await batchNormPipeline(gpu, 'inputGrad', ctx.previous), `${label}.inputGrad`, shape,
        { inp, gamma: v.weight, batch, dout, dgamma: grads.weight, dbeta: grads.bias, dinp: { buffer: ctx.dinp } }));
    }
    return { forward, backward, scratch: scratch.buffers };
  }

  twinForward(x: Float64Array, v: TensorValues, rows: number, pass: TwinPass) {
    const { channels, positions, spec: { epsilon, momentum } } = this;
    if (!pass.training) return { out: t.batchNormForward(x, rows, channels, positions, v.weight, v.bias, v.running_mean, v.running_var, epsilon) };
    const { mean, variance } = t.batchStatistics(x, rows, channels, positions);
    const n = rows * positions;
    const unbiased = variance.map((s) => (s * n) / (Math.max(n, 2) - 1));
    return {
      out: t.batchNormForward(x, rows, channels, positions, v.weight, v.bias, mean, variance, epsilon),
      updated: {
        running_mean: v.running_mean.map((r, c) => (1 - momentum) * r + momentum * mean[c]),
        running_var: v.running_var.map((r, c) => (1 - momentum) * r + momentum * unbiased[c]),
      },
    };
  }

  twinBackward(x: Float64Array, dout: Float64Array, v: TensorValues, rows: number) {
    const { dx, dgamma, dbeta } = t.batchNormBackward(x, dout, rows, this.channels, this.positions, v.weight, this.spec.epsilon);
    return { dx, grads: { weight: dgamma, bias: dbeta } };
  }

  onnx(graph: OnnxGraph): void {
    const at = `layers.${this.index}`;
    graph.add('BatchNormalization', [graph.x, `${at}.weight`, `${at}.bias`, `${at}.running_mean`, `${at}.running_var`], `${at}.batchnorm`,
      [floatAttribute('epsilon', this.spec.epsilon), floatAttribute('momentum', 1 - this.spec.momentum)]);
  }
}
