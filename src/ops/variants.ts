// Every shader module the ops can ask for: each kernel maker called with every combination of its choices that
// its own rules allow (a combination it refuses, as matmulKernel refuses a sparse per-sample product, is not
// one the engine can build). A module is the WGSL a pipeline compiles and the override constants it sets. The
// validation tests (src/ops/variants.test.ts) compile each on naga and on Tint.

import type { Binding, Gpu } from '../runtime/gpu';
import { ACTIVATIONS } from '../layers/options';
import type { Activation } from './activation';
import { batchNormPipeline, batchNormStatsPipeline } from './batch_norm';
import { biasGradPipeline } from './bias_grad';
import { type ConvGeometry, conv2dPipeline } from './conv2d';
import { directPipeline } from './conv_direct';
import { gatherPipeline } from './gather';
import type { Layout } from './layout';
import { BLOCKED, BLOCKED8, matmulKernel, type MatmulVariant, TILED } from './matmul';
import { nonzeroPipeline } from './nonzero';
import { optimizerPipeline } from './optimizer';
import { pointwisePipeline } from './pointwise';
import { type PoolGeometry, poolPipeline, unpoolPipeline } from './pool';
import { softmaxPipeline } from './softmax';
import { winogradGradKernels, winogradKernels, winogradWeightGradKernels } from './winograd';

export interface ShaderModule {
  label: string;
  code: string;
  constants: Record<string, number>;
  groups: Binding[][];
}

const TRUE_FALSE = [true, false];
const LAYOUTS: Layout[] = ['chw', 'hwc'];
const ACTIVATION_CHOICES: Activation[] = ACTIVATIONS.map((name) => ({ name, alpha: name === 'elu' || name === 'leaky_relu' ? 0.1 : 0 }));

/** Every distinct module the ops make: same code and constants once. */
export async function everyShaderModule(): Promise<ShaderModule[]> {
  const modules = new Map<string, ShaderModule>();
  const recorder = {
    pipeline(label: string, code: string, constants: Record<string, number>, groups: Binding[][]) {
      modules.set(JSON.stringify([code, constants]), { label, code, constants, groups });
      return Promise.resolve({} as GPUComputePipeline);
    },
  } as unknown as Gpu;
  const made: Promise<unknown>[] = [];
  const add = (pipeline: Promise<unknown>) => made.push(pipeline);

  for (const kind of ['sgd', 'momentum', 'adam'] as const) add(optimizerPipeline(recorder, kind));
  for (const nOut of [3, 4]) for (const perSample of TRUE_FALSE) add(biasGradPipeline(recorder, nOut, perSample));
  for (const mode of ['train', 'evaluate', 'predict'] as const) {
    for (const loss of ['cross-entropy', 'mse'] as const) for (const rows of [1, 256]) add(softmaxPipeline(recorder, mode, loss, rows));
  }
  for (const bytes of TRUE_FALSE) for (const augment of TRUE_FALSE) for (const features of [61, 784]) add(gatherPipeline(recorder, bytes, augment, features));
  for (const block of [8, 16]) for (const features of [61, 784]) add(nonzeroPipeline(recorder, block, features));
  for (const activation of ACTIVATION_CHOICES) {
    for (const pass of ['forward', 'backward'] as const) {
      for (const channelsLast of TRUE_FALSE) {
        for (const permute of TRUE_FALSE) {
          if (permute && !channelsLast) continue; // a permute reorders channels-last values
          for (const dropout of TRUE_FALSE) {
            add(pointwisePipeline(recorder, pass, activation, { channels: 4, positions: 9, channelsLast, permute }, dropout));
          }
        }
      }
    }
    for (const variant of ['normalize', 'running', 'inputGrad'] as const) add(batchNormPipeline(recorder, variant, activation));
  }
  for (const pass of ['forward', 'backward'] as const) add(batchNormStatsPipeline(recorder, pass));
  for (const channels of [3, 4]) {
    for (const layout of LAYOUTS) {
      for (const padded of TRUE_FALSE) {
        const g: ConvGeometry = { channels, height: 8, width: 8, outHeight: 6, outWidth: 6, kernel: [3, 3], stride: [1, 1], pad: padded ? [1, 1] : [0, 0], padded };
        for (const variant of ['im2col', 'col2im'] as const) for (const pooled of TRUE_FALSE) add(conv2dPipeline(recorder, variant, g, layout, pooled));
      }
      for (const [size, stride] of [[2, 2], [3, 1]]) {
        const g: PoolGeometry = { channels, height: 8, width: 8, outHeight: 4, outWidth: 4, size: [size, size], stride: [stride, stride] };
        for (const kind of ['max', 'average'] as const) {
          for (const pass of ['forward', 'backward'] as const) add(poolPipeline(recorder, kind, pass, g, layout));
        }
        add(unpoolPipeline(recorder, g));
      }
    }
  }
  for (const variant of ['forward', 'backwardInput', 'backwardWeight'] as MatmulVariant[]) {
    for (const strategy of [TILED, BLOCKED, BLOCKED8]) {
      for (const size of [{ m: 16, n: 16 }, { m: 1024, n: 1024 }]) {
        for (const activation of variant === 'backwardWeight' ? ACTIVATION_CHOICES.slice(0, 1) : ACTIVATION_CHOICES) {
          for (const sparse of TRUE_FALSE) for (const perSample of TRUE_FALSE) for (const patches of TRUE_FALSE) {
            for (const columns of TRUE_FALSE) for (const pooled of TRUE_FALSE) for (const live of TRUE_FALSE) for (const texels of TRUE_FALSE) {
              add(matmulKernel(recorder, variant, activation, strategy, size, { sparse, perSample, patches, columns, pooled, live, texels }));
            }
          }
        }
      }
    }
  }
  for (const channels of [3, 4]) for (const layout of LAYOUTS) for (const filters of [5, 8]) {
    const g: ConvGeometry = { channels, height: 8, width: 8, outHeight: 6, outWidth: 6, kernel: [3, 3], stride: [1, 1], pad: [0, 0], padded: false };
    for (const activation of ACTIVATION_CHOICES) for (const strategy of [TILED, BLOCKED, BLOCKED8]) for (const pooled of TRUE_FALSE) {
      for (const texels of strategy.tiled ? [false] : TRUE_FALSE) add(winogradKernels(recorder, g, layout, activation, strategy, pooled, { tiles: 64, filters }, texels));
      add(winogradGradKernels(recorder, g, filters, activation, strategy, pooled, 64));
    }
    for (const strategy of [TILED, BLOCKED, BLOCKED8]) add(winogradWeightGradKernels(recorder, g, filters, strategy));
  }
  for (const activation of ACTIVATION_CHOICES) for (const block of [8, 16]) for (const live of TRUE_FALSE) add(directPipeline(recorder, activation, block, live));
  // Only matmulKernel has rules to refuse a combination ("matmul: no …"); any other failure is a bug, thrown.
  const settled = await Promise.allSettled(made);
  for (const s of settled) if (s.status === 'rejected' && !/^matmul: no /.test(String((s.reason as Error).message))) throw s.reason;
  return [...modules.values()];
}
