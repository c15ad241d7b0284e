// Picks the matmul strategy for this device by measuring both on a small layer-shaped product, once per
// adapter: workgroup-memory tiles win on most GPUs, register blocks where barriers are costly (SwiftShader).
// The choice is kept per Gpu and, where localStorage exists, per adapter across page loads.

import { BLOCKED, matmulForward, matmulKernel, type MatmulStrategy, TILED } from '../ops/matmul';
import { record } from '../ops/op';
import type { Gpu } from '../runtime/gpu';
import { Schedule } from './schedule';

const chosen = new WeakMap<Gpu, Promise<MatmulStrategy>>();
const PROBE = { rows: 64, nIn: 256, nOut: 128 };
const RUNS = 3;

export function matmulStrategy(gpu: Gpu): Promise<MatmulStrategy> {
  let strategy = chosen.get(gpu);
  if (!strategy) {
    strategy = pick(gpu);
    chosen.set(gpu, strategy);
  }
  return strategy;
}

async function pick(gpu: Gpu): Promise<MatmulStrategy> {
  const info = gpu.device.adapterInfo;
  const key = `webgpu-nn.matmul:${info.vendor}/${info.architecture}/${info.device}/${info.description}`;
  const saved = globalThis.localStorage?.getItem(key);
  if (saved === 'tiled' || saved === 'blocked') return saved === 'tiled' ? TILED : BLOCKED;
  const times = [];
  for (const strategy of [TILED, BLOCKED]) times.push(await timeStrategy(gpu, strategy));
  const best = times[0] < times[1] ? TILED : BLOCKED;
  globalThis.localStorage?.setItem(key, best.tiled ? 'tiled' : 'blocked');
  return best;
}

/** Best of RUNS wall times (ms) of the probe product, after one untimed run. */
async function timeStrategy(gpu: Gpu, strategy: MatmulStrategy): Promise<number> {
  const { rows, nIn, nOut } = PROBE;
  const storage = GPUBufferUsage.STORAGE;
  const buffers = [rows * nIn, nOut * nIn, nOut, rows * nOut].map((n, i) => gpu.buffer(`autotune.${i}`, n * 4, storage));
  const kernel = await matmulKernel(gpu, 'forward', { name: 'relu', alpha: 0 }, strategy, { m: rows, n: nOut });
  const [inp, weight, bias, out] = buffers.map((buffer) => ({ buffer }));
  const op = matmulForward(gpu, kernel, 'autotune.forward', { nIn, nOut }, { inp, weight, bias, out });
  const schedule = new Schedule(gpu, 'autotune');
  schedule.write([{ batchStart: 0, rows, learningRate: 0, adamC1: 1, adamC2: 1, seed: 0 }]);
  let best = Infinity;
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    const encoder = gpu.device.createCommandEncoder({ label: 'autotune' });
    const pass = encoder.beginComputePass({ label: 'autotune' });
    record(pass, op, schedule.group, 0, rows);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
    if (run > 0) best = Math.min(best, performance.now() - started);
  }
  for (const buffer of [...buffers, ...op.owned, schedule.buffer]) gpu.release(buffer);
  return best;
}
