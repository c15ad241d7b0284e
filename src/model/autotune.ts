// Picks, by measuring once per adapter, how products run (workgroup-memory tiles, or register blocks where
// barriers are costly, as on SwiftShader) and how a convolution gets its patches (a matrix built by im2col, or
// read in place by the product). Each choice is kept per Gpu and, where localStorage exists, per adapter
// across page loads.

import { layersOf } from '../layers';
import type { ConvStrategy } from '../ops/conv2d';
import { BLOCKED, matmulForward, matmulKernel, type MatmulStrategy, TILED } from '../ops/matmul';
import { type Op, record } from '../ops/op';
import type { Gpu } from '../runtime/gpu';
import { paramLayout } from './layout';
import { buildPlan, type Plan } from './plan';
import { Schedule } from './schedule';

const RUNS = 3;
const CONV_ROWS = 16;
const chosenMatmul = new WeakMap<Gpu, Promise<MatmulStrategy>>();
const chosenConv = new WeakMap<Gpu, Promise<ConvStrategy>>();

export function matmulStrategy(gpu: Gpu): Promise<MatmulStrategy> {
  let strategy = chosenMatmul.get(gpu);
  if (!strategy) {
    strategy = remembered(gpu, 'matmul', ['tiled', 'blocked'], (name) => timeMatmul(gpu, name === 'tiled' ? TILED : BLOCKED))
      .then((name) => (name === 'tiled' ? TILED : BLOCKED));
    chosenMatmul.set(gpu, strategy);
  }
  return strategy;
}

export function convStrategy(gpu: Gpu): Promise<ConvStrategy> {
  let strategy = chosenConv.get(gpu);
  if (!strategy) {
    strategy = matmulStrategy(gpu).then((matmul) => {
      let plans: Promise<ConvPlan[]> | undefined; // both built at once (their pipelines compile side by side), when first needed
      const candidates: ConvStrategy[] = ['im2col', 'implicit'];
      return remembered(gpu, 'conv', candidates, async (name) => {
        plans ??= Promise.all(candidates.map((conv) => convPlan(gpu, matmul, conv)));
        return timeConv(gpu, (await plans)[candidates.indexOf(name)]);
      });
    });
    chosenConv.set(gpu, strategy);
  }
  return strategy;
}

/** Where localStorage keeps the choice of `what` ('matmul' or 'conv') for the adapter `info` describes. */
export const strategyKey = (info: GPUAdapterInfo, what: 'matmul' | 'conv') =>
  `webgpu-nn.${what}:${info.vendor}/${info.architecture}/${info.device}/${info.description}`;

/** The faster of `names` by `time` (ms), or the one saved for this adapter. */
async function remembered<T extends string>(gpu: Gpu, what: 'matmul' | 'conv', names: T[], time: (name: T) => Promise<number>): Promise<T> {
  const key = strategyKey(gpu.device.adapterInfo, what);
  const saved = globalThis.localStorage?.getItem(key) as T | null | undefined;
  if (saved && names.includes(saved)) return saved;
  const times = [];
  for (const name of names) times.push(await time(name));
  const best = names[times.indexOf(Math.min(...times))];
  globalThis.localStorage?.setItem(key, best);
  return best;
}

/** Best of RUNS wall times (ms) of `ops` over `rows` rows, after one untimed run. */
async function timeOps(gpu: Gpu, ops: Op[], rows: number): Promise<number> {
  const schedule = new Schedule(gpu, 'autotune');
  schedule.write([{ batchStart: 0, rows, learningRate: 0, adamC1: 1, adamC2: 1, seed: 0 }]);
  let best = Infinity;
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    const encoder = gpu.device.createCommandEncoder({ label: 'autotune' });
    const pass = encoder.beginComputePass({ label: 'autotune' });
    for (const op of ops) record(pass, op, schedule.group, 0, rows);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
    if (run > 0) best = Math.min(best, performance.now() - started);
  }
  gpu.release(schedule.buffer);
  return best;
}

/** A small layer-shaped product: 64 rows, 256 → 128. */
async function timeMatmul(gpu: Gpu, strategy: MatmulStrategy): Promise<number> {
  const [rows, nIn, nOut] = [64, 256, 128];
  const buffers = [rows * nIn, nOut * nIn, nOut, rows * nOut].map((n, i) => gpu.buffer(`autotune.${i}`, n * 4, GPUBufferUsage.STORAGE));
  const kernel = await matmulKernel(gpu, 'forward', { name: 'relu', alpha: 0 }, strategy, { m: rows, n: nOut });
  const [inp, weight, bias, out] = buffers.map((buffer) => ({ buffer }));
  const op = matmulForward(gpu, kernel, 'autotune.forward', { nIn, nOut }, { inp, weight, bias, out });
  const ms = await timeOps(gpu, [op], rows);
  for (const buffer of [...buffers, ...op.owned]) gpu.release(buffer);
  return ms;
}

interface ConvPlan {
  plan: Plan;
  buffers: GPUBuffer[];
}

/**
 * A training step's worth of a ConvNet's convolution and the 2 × 2 max pool after it, as a plan builds them
 * (fused where they can be): 16 samples of 8 × 12 × 12 → 16 filters of 3 × 3.
 */
async function convPlan(gpu: Gpu, matmul: MatmulStrategy, conv: ConvStrategy): Promise<ConvPlan> {
  const layers = layersOf([8, 12, 12], [{ type: 'conv2d', filters: 16, kernelSize: 3 }, { type: 'maxPool2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }]);
  const layout = paramLayout(layers, Math.max(4, gpu.device.limits.minStorageBufferOffsetAlignment / 4));
  const params = gpu.buffer(`autotune.${conv}.params`, layout.totalFloats * 4, GPUBufferUsage.STORAGE);
  const grads = gpu.buffer(`autotune.${conv}.grads`, layout.totalFloats * 4, GPUBufferUsage.STORAGE);
  const plan = await buildPlan(gpu, `autotune.${conv}`, layers, 'cross-entropy', layout, params, grads, CONV_ROWS, true, { matmul, conv });
  return { plan, buffers: [params, grads] };
}

/** Times the convolution's and pool's ops, then releases the plan. */
async function timeConv(gpu: Gpu, { plan, buffers }: ConvPlan): Promise<number> {
  const ms = await timeOps(gpu, [0, 1].flatMap((l) => [...plan.layers[l].forward, ...plan.layers[l].backward]), CONV_ROWS);
  for (const buffer of [...buffers, ...plan.owned]) gpu.release(buffer);
  return ms;
}
