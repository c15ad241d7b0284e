// Picks, by measuring once per adapter, how products run (workgroup-memory tiles, or register blocks where
// barriers are costly, as on SwiftShader) and how a convolution gets its patches (a matrix built by im2col, or
// read in place by the product). Each choice is kept per Gpu and, where localStorage exists, per adapter
// across page loads, with a digest of the kernels it was measured with.

import { layersOf } from '../layers';
import type { ConvStrategy } from '../ops/conv2d';
import { BLOCKED, matmulForward, matmulKernel, type MatmulStrategy, TILED } from '../ops/matmul';
import { type Op, record } from '../ops/op';
import type { Gpu } from '../runtime/gpu';
import { shaders } from '../shaders';
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
    strategy = rememberedChoice(gpu.device.adapterInfo, 'matmul', ['tiled', 'blocked'], (name) => timeMatmul(gpu, name === 'tiled' ? TILED : BLOCKED))
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
      return rememberedChoice(gpu.device.adapterInfo, 'conv', candidates, async (name) => {
        plans ??= Promise.all(candidates.map((conv) => convPlan(gpu, matmul, conv)));
        return timeConv(gpu, (await plans)[candidates.indexOf(name)]);
      });
    });
    chosenConv.set(gpu, strategy);
  }
  return strategy;
}

/** The kernels' source, digested: a choice measured with other kernels (another version of the engine) is measured again. */
const KERNELS = fnv1a(Object.values(shaders).join('\n'));

/**
 * What tells this adapter from others, for a saved choice: its vendor, architecture, device and description, and
 * whether it is a fallback adapter. Undefined where those strings are all empty (as Firefox's fallback adapter
 * reports them): such adapters cannot be told apart, so their choice is measured on every new device, never saved.
 */
export function adapterIdentity(info: GPUAdapterInfo): string | undefined {
  const names = [info.vendor, info.architecture, info.device, info.description];
  if (names.every((name) => !name)) return undefined;
  return [...names, info.isFallbackAdapter ? 'fallback' : ''].join('/');
}

/** Where localStorage keeps the choice of `what` for the adapter that `info` describes; undefined where it keeps none. */
export function strategyKey(info: GPUAdapterInfo, what: 'matmul' | 'conv'): string | undefined {
  const identity = adapterIdentity(info);
  return identity === undefined ? undefined : `webgpu-nn.${what}:${identity}`;
}

/** Saves `choice` as measured for this adapter and these kernels (nothing, for an adapter without identity). */
export function saveStrategy(info: GPUAdapterInfo, what: 'matmul' | 'conv', choice: string, storage = globalThis.localStorage): void {
  const key = strategyKey(info, what);
  if (key) storage?.setItem(key, JSON.stringify({ choice, kernels: KERNELS }));
}

/**
 * The faster of `names` by `time` (ms), or the one saved for this adapter. A saved entry counts only if it was
 * measured with these kernels and names one of `names`; any other (stale, foreign or damaged) is measured again.
 */
export async function rememberedChoice<T extends string>(info: GPUAdapterInfo, what: 'matmul' | 'conv', names: T[],
  time: (name: T) => Promise<number>, storage = globalThis.localStorage): Promise<T> {
  const key = strategyKey(info, what);
  const saved = savedChoice(key === undefined ? null : storage?.getItem(key));
  if (saved?.kernels === KERNELS && names.includes(saved.choice as T)) return saved.choice as T;
  const times = [];
  for (const name of names) times.push(await time(name));
  const best = names[times.indexOf(Math.min(...times))];
  saveStrategy(info, what, best, storage);
  return best;
}

function savedChoice(text: string | null | undefined): { choice?: unknown; kernels?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text ?? 'null');
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined; // an older engine's plain string, or damage
  }
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
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
