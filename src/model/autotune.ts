// Picks, by measuring once per adapter, how products run (workgroup-memory tiles, or register blocks of 16 × 16
// or 8 × 8 where barriers are costly, as on SwiftShader and lavapipe) and how a convolution gets its patches (a
// matrix built by im2col, or read in place by the product, and for a 3 × 3 one whether its forward goes by
// Winograd's F(2 × 2, 3 × 3)), and whether a one-channel 5 × 5 convolution and its pool run in a kernel of their
// own, whether Winograd's products read their transformed weights from a texture, and whether a dense layer
// reading the data reads its operands from textures. Each choice is kept per Gpu and, where localStorage exists,
// per adapter across page loads, with a digest of the kernels it was measured with.

import { layersOf } from '../layers';
import type { Layer } from '../layers/layer';
import type { ConvStrategy } from '../ops/conv2d';
import { BLOCKED, BLOCKED8, matmulForward, matmulKernel, type MatmulStrategy, TILED } from '../ops/matmul';
import type { Op } from '../ops/op';
import type { Gpu } from '../runtime/gpu';
import { shaders } from '../shaders';
import { paramLayout } from './layout';
import { buildPlan, type Plan, type Strategies } from './plan';
import { Schedule } from './schedule';
import { wallClockPass } from './timing';

/**
 * What is chosen per adapter: how products run, how convolutions get their patches, whether the direct kernel
 * runs, whether Winograd's products read u from a texture, and whether the data's dense layer reads from textures.
 */
type Choice = 'matmul' | 'conv' | 'direct' | 'texels' | 'dataTexels';

const RUNS = 3;
/**
 * The matmul candidates are timed in this many rounds, in alternating order, each keeping its best: on a shared,
 * noisy machine one slow pass once picked 16 × 16 blocks on SwiftShader (2026-12-06, Chromium 156), where 8 × 8
 * train the MLP 1.16-1.21× faster.
 */
const MATMUL_ROUNDS = 2;
/** A timed pass repeats what it times for about this long, at most MAX_REPEATS times. */
const PASS_MS = 20;
/**
 * The matmul candidates' passes are longer: they differ by 5-7% on SwiftShader. With passes of 20 ms (at most 32
 * runs) and three rounds, a full benchmark run (2026-12-07, Chromium 156) picked 16 × 16 blocks again, and in Deno
 * six rounds timed 8 × 8 at 1,085-1,453 ms and 16 × 16 at 1,307-1,665 (16 × 16 ahead in 2); with passes of 60 ms,
 * at 1,240-1,349 and 1,335-1,400 (8 × 8 ahead in all 6).
 */
const MATMUL_PASS_MS = 60;
const MAX_REPEATS = 64;
/** The runs of a timed product that weigh as much as its first run: about a short fit's worth. */
const FIT_RUNS = 1000;
const CONV_ROWS = 16;
const CONV_INFERENCE_ROWS = 64;
const CONVS: ConvStrategy[] = ['im2col', 'implicit', 'winograd'];
/**
 * Winograd's sums round differently from the direct product's: it is chosen only where it is clearly faster
 * (its time counts 10% more), so that an adapter measured again, where nothing saved its choice, keeps the same
 * sums. Measured in Deno (2026-12-06), the ConvNet's training step and evaluation with it against the implicit
 * GEMM: on SwiftShader 1.13× and 1.09× faster (here it measures 1.2× faster, before the margin, in 5 runs of
 * 6); on Debian 12's lavapipe (Mesa 22) 1.07× and 1.2×.
 */
const WINOGRAD_MARGIN = 1.1;
const MATMULS = { tiled: TILED, blocked: BLOCKED, blocked8: BLOCKED8 };
const MATMUL_NAMES = Object.keys(MATMULS) as (keyof typeof MATMULS)[];
const chosenMatmul = new WeakMap<Gpu, Promise<MatmulStrategy>>();
const chosenConv = new WeakMap<Gpu, Promise<ConvStrategy>>();
const chosenDirect = new WeakMap<Gpu, Promise<boolean>>();
/** The direct kernel's rival: the patches' product, which also does the pool. */
const DIRECTS = ['product', 'direct'] as const;
const chosenTexels = new WeakMap<Gpu, Promise<boolean>>();
/** Where Winograd's forward products read the transformed weights u from (or the data's dense layer its operands): a storage buffer or a texture. */
const TEXELS = ['buffer', 'texture'] as const;
const chosenDataTexels = new WeakMap<Gpu, Promise<boolean>>();
/**
 * The rows of the data's dense layer's timed plans, more than a fit's default 64: the weight's copy costs the same
 * at any batch, and the products' gain grows with it.
 */
const DENSE_ROWS = 256;

/** The strategies a model of `layers` runs with: only the choices its layers can use are measured. */
export async function strategiesFor(gpu: Gpu, layers: Layer[]): Promise<Strategies> {
  const convolves = layers.some((layer) => layer.convolves);
  const fitsDirect = layers.some((layer) => layer.fitsDirect);
  const first = layers.find((layer) => layer.spec.type !== 'flatten'); // the first to change the data
  const [matmul, conv, direct, texels, dataTexels] = await Promise.all([matmulStrategy(gpu), convolves ? convStrategy(gpu) : 'im2col' as const,
    fitsDirect && directStrategy(gpu), convolves && texelsStrategy(gpu), first?.spec.type === 'dense' && dataTexelsStrategy(gpu)]);
  return { matmul, conv, direct, texels, dataTexels };
}

export function matmulStrategy(gpu: Gpu): Promise<MatmulStrategy> {
  return once(chosenMatmul, gpu, () => {
    const firstRuns = new Map<MatmulStrategy, number>();
    return rememberedChoice(gpu.device.adapterInfo, 'matmul', MATMUL_NAMES, (name) => timeMatmul(gpu, MATMULS[name], firstRuns),
      globalThis.localStorage, MATMUL_ROUNDS).then((name) => MATMULS[name]);
  });
}

export function convStrategy(gpu: Gpu): Promise<ConvStrategy> {
  return once(chosenConv, gpu, () => matmulStrategy(gpu).then((matmul) =>
    fasterPlans(gpu, 'conv', CONVS, (conv) => convPlans(gpu, matmul, conv), [1, 2], true, (name) => (name === 'winograd' ? WINOGRAD_MARGIN : 1))));
}

/**
 * Whether a one-channel 5 × 5 convolution and its fused pool run in the direct kernel (src/ops/conv_direct.ts)
 * or as the patches' product. Without fused pools (where convolutions build their patches by im2col) it never
 * runs. Measured in Deno (2026-12-06), the MNIST ConvNet's first convolution: on SwiftShader 7.0 against 14.5 ms,
 * on Debian 12's lavapipe 5.3-5.5 against 19-22 ms, with a pair of windows a thread; two pairs a thread took
 * the kernel from 21.1 to 18.8 ms per 208 images on SwiftShader and from 12.2-14.5 to 6.1-9.7 ms on lavapipe
 * (2026-12-07). A GPU has far more threads than one per two pairs of windows can keep busy at a small batch:
 * there the product may win.
 */
export function directStrategy(gpu: Gpu): Promise<boolean> {
  return once(chosenDirect, gpu, () => Promise.all([matmulStrategy(gpu), convStrategy(gpu)]).then(async ([matmul, conv]) => {
    if (conv === 'im2col') return false;
    return await fasterPlans(gpu, 'direct', DIRECTS, (d) => directPlans(gpu, matmul, conv, d === 'direct'), [0], false) === 'direct';
  }));
}

/**
 * Whether Winograd's forward products read its transformed weights u from a texture of 4 filters a texel
 * (src/ops/winograd.ts), where a storage buffer's 4 values are 4 loads. Only with Winograd and register-blocked
 * products. The sums are the same either way. Measured in Deno (2026-12-07), the 16 products of the MNIST
 * ConvNet's inference pass of 208 images: on SwiftShader 33.1-38.4 ms against 42.5-44.9 from a buffer.
 */
export function texelsStrategy(gpu: Gpu): Promise<boolean> {
  return once(chosenTexels, gpu, () => Promise.all([matmulStrategy(gpu), convStrategy(gpu)]).then(async ([matmul, conv]) => {
    if (conv !== 'winograd' || matmul.tiled) return false;
    return await fasterPlans(gpu, 'texels', TEXELS, (t) => convPlans(gpu, matmul, conv, t === 'texture'), [1], false) === 'texture';
  }));
}

/**
 * Whether a dense layer reading the data reads the batch, its weight and its output gradient from textures of 4
 * values a texel (src/layers/dense.ts), each copied there every step: only with 8 × 8 register blocks. The sums
 * are the same either way, bit for bit.
 * Measured in Chromium on SwiftShader (2026-12-07), the MNIST MLP's step at batch 512: the forward product 9.0-9.8
 * ms against 16.8-18.1 from buffers, the weight gradient 9.7-11.8 against 12.9-14.0, the copies 0.04-0.11 ms.
 */
export function dataTexelsStrategy(gpu: Gpu): Promise<boolean> {
  return once(chosenDataTexels, gpu, () => matmulStrategy(gpu).then(async (matmul) => {
    if (matmul.tiled || matmul.block !== 8) return false;
    return await fasterPlans(gpu, 'dataTexels', TEXELS, (t) => densePlans(gpu, matmul, t === 'texture'), [0], true) === 'texture';
  }));
}

/** What `choose` gives for this Gpu, asked for once. */
function once<T>(chosen: WeakMap<Gpu, Promise<T>>, gpu: Gpu, choose: () => Promise<T>): Promise<T> {
  let choice = chosen.get(gpu);
  if (!choice) {
    choice = choose();
    chosen.set(gpu, choice);
  }
  return choice;
}

/**
 * The one of `names` whose plans run `timed` layers fastest (see timePlans), each time weighted by `weight`,
 * or the one saved for this adapter. Every name's plans are built at once (their pipelines compile side by
 * side), when first needed.
 */
function fasterPlans<T extends string>(gpu: Gpu, what: Choice, names: readonly T[], build: (name: T) => Promise<TimedPlans>, timed: number[],
  backward: boolean, weight: (name: T) => number = () => 1): Promise<T> {
  let plans: Promise<TimedPlans[]> | undefined;
  return rememberedChoice(gpu.device.adapterInfo, what, [...names], async (name) => {
    plans ??= Promise.all(names.map(build));
    return weight(name) * await timePlans(gpu, (await plans)[names.indexOf(name)], timed, backward);
  });
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
export function strategyKey(info: GPUAdapterInfo, what: Choice): string | undefined {
  const identity = adapterIdentity(info);
  return identity === undefined ? undefined : `webgpu-nn.${what}:${identity}`;
}

/** Saves `choice` as measured for this adapter and these kernels (nothing, for an adapter without identity). */
export function saveStrategy(info: GPUAdapterInfo, what: Choice, choice: string, storage = globalThis.localStorage): void {
  const key = strategyKey(info, what);
  if (key) storage?.setItem(key, JSON.stringify({ choice, kernels: KERNELS }));
}

/**
 * The faster of `names` by `time` (ms), or the one saved for this adapter. A saved entry counts only if it was
 * measured with these kernels and names one of `names`; any other (stale, foreign or damaged) is measured again.
 * With several `rounds`, each name is timed once a round, the order reversed every other round, and keeps its best.
 */
export async function rememberedChoice<T extends string>(info: GPUAdapterInfo, what: Choice, names: T[],
  time: (name: T) => Promise<number>, storage = globalThis.localStorage, rounds = 1): Promise<T> {
  const key = strategyKey(info, what);
  const saved = savedChoice(key === undefined ? null : storage?.getItem(key));
  if (saved?.kernels === KERNELS && names.includes(saved.choice as T)) return saved.choice as T;
  const times = names.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const i = names.indexOf(name);
      times[i] = Math.min(times[i], await time(name));
    }
  }
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

/**
 * What `ops` cost over `rows` rows, in ms: their first run's wall time (lavapipe compiles kernels then), and a
 * run's time without the fixed cost of a submission (an empty pass's: about 12 ms in Deno, more than a small
 * product takes), timed in passes of as many runs as take about `passMs`.
 */
async function timeOps(gpu: Gpu, ops: Op[], rows: number, passMs = PASS_MS): Promise<{ firstMs: number; runMs: number }> {
  const schedule = new Schedule(gpu, 'autotune');
  schedule.write([{ batchStart: 0, rows, learningRate: 0, adamC1: 1, adamC2: 1, seed: 0 }]);
  const step = { group: schedule.group, offset: 0, rows };
  const pass = (timed: Op[], repeats: number, runs = RUNS) => wallClockPass(gpu, 'autotune', timed, step, repeats, runs);
  const firstMs = await pass(ops, 1, 1);
  const emptyMs = await pass([], 1);
  const onceMs = Math.max(await pass(ops, 1) - emptyMs, 0.01);
  const repeats = Math.min(MAX_REPEATS, Math.ceil(passMs / onceMs));
  const runMs = repeats === 1 ? onceMs : Math.max(await pass(ops, repeats) - emptyMs, 0) / repeats;
  gpu.release(schedule.buffer);
  return { firstMs, runMs };
}

/**
 * A small layer-shaped product (64 rows, 256 → 128): what it costs a fit, counted as its first run (where a
 * driver compiles at first use) and FIT_RUNS runs. On lavapipe, 16 × 16 register blocks compile in about 0.65 s
 * and 8 × 8 in 0.25 s, and run in 0.40 and 0.58 ms: 8 × 8 wins by its compile time. On SwiftShader nothing
 * compiles at first use, and 8 × 8 blocks run faster at such sizes: they win. Timed again (another round), a
 * strategy keeps the first run of its first timing (`firstRuns`): its pipeline is compiled by then.
 */
async function timeMatmul(gpu: Gpu, strategy: MatmulStrategy, firstRuns: Map<MatmulStrategy, number>): Promise<number> {
  const [rows, nIn, nOut] = [64, 256, 128];
  const buffers = [rows * nIn, nOut * nIn, nOut, rows * nOut].map((n, i) => gpu.buffer(`autotune.${i}`, n * 4, GPUBufferUsage.STORAGE));
  const kernel = await matmulKernel(gpu, 'forward', { name: 'relu', alpha: 0 }, strategy, { m: rows, n: nOut });
  const [inp, weight, bias, out] = buffers.map((buffer) => ({ buffer }));
  const op = matmulForward(gpu, kernel, 'autotune.forward', { nIn, nOut }, { inp, weight, bias, out });
  const { firstMs, runMs } = await timeOps(gpu, [op], rows, MATMUL_PASS_MS);
  for (const buffer of [...buffers, ...op.owned]) gpu.release(buffer);
  const first = firstRuns.get(strategy) ?? firstMs;
  firstRuns.set(strategy, first);
  return first + FIT_RUNS * runMs;
}

/** A net's training plan of CONV_ROWS samples and inference plan of CONV_INFERENCE_ROWS (a fit trains and evaluates), on buffers of their own. */
interface TimedPlans {
  training: Plan;
  inference: Plan;
  buffers: GPUBuffer[];
}

async function timedPlans(gpu: Gpu, name: string, layers: Layer[], strategies: Strategies, rows = { training: CONV_ROWS, inference: CONV_INFERENCE_ROWS }): Promise<TimedPlans> {
  const layout = paramLayout(layers, Math.max(4, gpu.device.limits.minStorageBufferOffsetAlignment / 4));
  const params = gpu.buffer(`autotune.${name}.params`, layout.totalFloats * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC); // copied into textures, too
  const grads = gpu.buffer(`autotune.${name}.grads`, layout.totalFloats * 4, GPUBufferUsage.STORAGE);
  const plan = (capacity: number, training: boolean) =>
    buildPlan(gpu, `autotune.${name}.${training ? 'train' : 'infer'}`, layers, 'cross-entropy', layout, params, grads, capacity, training, strategies);
  const [training, inference] = await Promise.all([plan(rows.training, true), plan(rows.inference, false)]);
  return { training, inference, buffers: [params, grads] };
}

/**
 * Times `timed` layers' ops: a training step's (their forward, and with `backward` their backward too) and an
 * inference forward's; then releases the plans.
 */
async function timePlans(gpu: Gpu, { training, inference, buffers }: TimedPlans, timed: number[], backward: boolean): Promise<number> {
  const trainOps = timed.flatMap((l) => [...training.layers[l].forward, ...(backward ? training.layers[l].backward : [])]);
  const { runMs: trainMs } = await timeOps(gpu, trainOps, training.capacity);
  const { runMs: inferMs } = await timeOps(gpu, timed.flatMap((l) => inference.layers[l].forward), inference.capacity);
  for (const buffer of [...buffers, ...training.owned, ...inference.owned]) gpu.release(buffer);
  return trainMs + inferMs;
}

/**
 * A ConvNet's convolution and the 2 × 2 max pool after it, as plans build them (fused where they can be):
 * the MNIST ConvNet's second, 24 × 12 × 12 → 32 filters of 3 × 3. As in that net, a layer with weights (here a
 * 1 × 1 convolution, untimed) and a relu come before it: its training ops include its input gradient, and it
 * reads no input data (whose zeros the weight gradient skips, and these buffers are all zeros). Timed (layers 1
 * and 2): its training step's ops and its inference forward.
 */
async function convPlans(gpu: Gpu, matmul: MatmulStrategy, conv: ConvStrategy, texels = false): Promise<TimedPlans> {
  const layers = layersOf([24, 12, 12], [{ type: 'conv2d', filters: 24, kernelSize: 1, activation: 'relu' }, { type: 'conv2d', filters: 32, kernelSize: 3 },
    { type: 'maxPool2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }]);
  return timedPlans(gpu, texels ? `${conv}.texels` : conv, layers, { matmul, conv, direct: false, texels, dataTexels: false });
}

/**
 * The MNIST ConvNet's first convolution, 1 × 28 × 28 → 24 filters of 5 × 5, and its pool, by the direct kernel
 * or by the patches' product. Timed (layer 0): its forward only (the other ops are the same either way).
 */
async function directPlans(gpu: Gpu, matmul: MatmulStrategy, conv: ConvStrategy, direct: boolean): Promise<TimedPlans> {
  const layers = layersOf([1, 28, 28], [{ type: 'conv2d', filters: 24, kernelSize: 5 }, { type: 'maxPool2d', size: 2, activation: 'relu' },
    { type: 'flatten' }, { type: 'dense', units: 2 }]);
  return timedPlans(gpu, direct ? 'direct' : 'product', layers, { matmul, conv, direct, texels: false, dataTexels: false });
}

/**
 * The MNIST MLP's first layer, 784 → 128, reading the data from textures or buffers, on a batch of DENSE_ROWS
 * made-up digits: a 20 × 20 square of strokes in the 28 × 28 image, a fifth of its pixels set, as many as MNIST's
 * (the masks then skip what they skip there, where a batch of zeros would skip everything). Timed (layer 0):
 * its training step's ops and its inference forward.
 */
async function densePlans(gpu: Gpu, matmul: MatmulStrategy, dataTexels: boolean): Promise<TimedPlans> {
  const layers = layersOf([784, 1, 1], [{ type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 10 }]);
  const plans = await timedPlans(gpu, dataTexels ? 'dense.texels' : 'dense', layers, { matmul, conv: 'im2col', direct: false, texels: false, dataTexels },
    { training: DENSE_ROWS, inference: DENSE_ROWS });
  const digits = new Float32Array(DENSE_ROWS * 784);
  for (let row = 0; row < DENSE_ROWS; row++) {
    for (let y = 4; y < 24; y++) for (let x = 4; x < 24; x++) if ((3 * x + 7 * y + row) % 5 === 0) digits[row * 784 + y * 28 + x] = 0.5;
  }
  for (const plan of [plans.training, plans.inference]) gpu.device.queue.writeBuffer(plan.acts[0], 0, digits);
  return plans;
}
