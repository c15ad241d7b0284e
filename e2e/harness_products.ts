// The products' kernel cases: each GPU matmul variant, layer 0's nonzero masks and sparse products, and
// Winograd's weight gradient, alone on seeded random inputs against their CPU twins (src/reference/). Each
// returns the largest absolute difference and the largest error relative to Σ|terms| (harness_gpu.ts's compare).

import * as ref from '../src/reference/kernels';
import * as refLayers from '../src/reference/layers';
import { Random } from '../src/random';
import { Schedule } from '../src/model/schedule';
import { paramLayout, slotBinding, slotsOf } from '../src/model/layout';
import { layersOf } from '../src/layers';
import { IDENTITY, type Activation } from '../src/ops/activation';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward, matmulKernel, type MatmulStrategy, type MatmulVariant, type Operand } from '../src/ops/matmul';
import { nonzeroMasks, nonzeroMaskWords, nonzeroPipeline } from '../src/ops/nonzero';
import type { Op, Tensor } from '../src/ops/op';
import { copyInOrder, LINE, linesOf } from '../src/ops/texels';
import { type ConvGeometry, productPositions } from '../src/ops/conv2d';
import { winogradForward, winogradKernels, winogradWeightGrad, winogradWeightGradKernels, winogradWeightGradSplits } from '../src/ops/winograd';
import { type Comparison, compare, getGpu, readF32, run, STORAGE, step, uniforms } from './harness_gpu';

/** |a|, for the sums of absolute terms that errors are measured against. */
const abs = (a: Float32Array) => a.map(Math.abs);
export async function matmulCase(strategy: MatmulStrategy, variant: MatmulVariant, activation: Activation, rows: number, nIn: number, nOut: number, seed: number): Promise<Comparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const schedule = new Schedule(gpu, 'case');
  // Weight and bias sit in a flat parameter buffer at aligned offsets, as in a model.
  const layout = paramLayout(layersOf([nIn, 1, 1], [{ type: 'dense', units: nOut }]), gpu.device.limits.minStorageBufferOffsetAlignment / 4);
  const slots = slotsOf(layout, 0);
  const weight = uniforms(random, nOut * nIn);
  const bias = uniforms(random, nOut);
  const flat = new Float32Array(layout.totalFloats);
  flat.set(weight, slots.weight.offset);
  flat.set(bias, slots.bias.offset);
  const params = gpu.upload('case.params', flat, STORAGE);
  const size = variant === 'forward' ? { m: rows, n: nOut } : variant === 'backwardInput' ? { m: rows, n: nIn } : { m: nOut, n: nIn }; // C's
  const pipeline = await matmulKernel(gpu, variant, activation, strategy, size);
  const dims = { nIn, nOut };

  if (variant === 'forward') {
    const inp = uniforms(random, rows * nIn);
    const out = gpu.buffer('case.out', rows * nOut * 4, STORAGE);
    const op = matmulForward(gpu, pipeline, 'case.forward', dims, {
      inp: { buffer: gpu.upload('case.inp', inp, STORAGE) }, weight: slotBinding(params, slots.weight),
      bias: slotBinding(params, slots.bias), out: { buffer: out },
    });
    run(gpu, schedule, [step(rows)], [op]);
    return compare(await readF32(gpu, out), ref.matmulForward(inp, weight, bias, rows, nIn, nOut, activation),
      ref.matmulForward(abs(inp), abs(weight), abs(bias), rows, nIn, nOut, IDENTITY));
  }
  const dout = uniforms(random, rows * nOut);
  if (variant === 'backwardInput') {
    // inp is a real activation output (relu zeros, sigmoid in (0, 1), ...), as in training.
    const inp = uniforms(random, rows * nIn, 3).map((x) => ref.activate(x, activation));
    const dinp = gpu.buffer('case.dinp', rows * nIn * 4, STORAGE);
    const op = matmulBackwardInput(gpu, pipeline, 'case.backwardInput', dims, {
      dout: { buffer: gpu.upload('case.dout', dout, STORAGE) }, weight: slotBinding(params, slots.weight),
      inp: { buffer: gpu.upload('case.inp', inp, STORAGE) }, dinp: { buffer: dinp },
    });
    run(gpu, schedule, [step(rows)], [op]);
    const ones = new Float32Array(rows * nIn).fill(1);
    return compare(await readF32(gpu, dinp), ref.matmulBackwardInput(dout, weight, inp, rows, nIn, nOut, activation),
      ref.matmulBackwardInput(abs(dout), abs(weight), ones, rows, nIn, nOut, IDENTITY));
  }
  const inp = uniforms(random, rows * nIn);
  const dweight = gpu.buffer('case.grads', layout.totalFloats * 4, STORAGE);
  const op = matmulBackwardWeight(gpu, pipeline, 'case.backwardWeight', dims, {
    dout: { buffer: gpu.upload('case.dout', dout, STORAGE) }, inp: { buffer: gpu.upload('case.inp', inp, STORAGE) },
    dweight: slotBinding(dweight, slots.weight),
  });
  run(gpu, schedule, [step(rows)], [op]);
  return compare(await readF32(gpu, dweight, slots.weight.offset, nOut * nIn), ref.matmulBackwardWeight(dout, inp, rows, nIn, nOut),
    ref.matmulBackwardWeight(abs(dout), abs(inp), rows, nIn, nOut));
}

/**
 * Input data as sparse as a digit's: each value is zero with probability `zeros`, and so are whole columns
 * (features 2, 5, 6, ...) and whole rows (3, 20, ...), so that whole blocks are zero too. One value is -0.
 */
function sparseInput(random: Random, rows: number, features: number, zeros: number): Float32Array<ArrayBuffer> {
  const inp = uniforms(random, rows * features).map((x) => (random.uniform() < zeros ? 0 : x));
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) if ((f % 3 !== 1 && f % 7 > 4) || r % 17 === 3) inp[r * features + f] = 0;
  }
  inp[inp.length - 1] = -0;
  return inp;
}

export interface MaskComparison {
  byRows: MaskCount;
  byColumns: MaskCount;
}
export interface MaskCount {
  equal: boolean;
  words: number;
  /** Set bits in the reference mask, and how many it has (blocks × bits each) */
  setBits: number;
  bits: number;
}

/**
 * The nonzero masks (blocks of `block`) of a sparse batch of `rows` rows, held in a buffer of `capacity` rows
 * whose other rows are nonzero (stale rows of a larger batch must not count), against the reference.
 */
export async function nonzeroCase(block: number, rows: number, capacity: number, features: number, seed: number): Promise<MaskComparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const inp = new Float32Array(capacity * features).fill(1);
  inp.set(sparseInput(random, rows, features, 0.8));
  const words = nonzeroMaskWords(rows, features, block);
  const junk = (n: number) => gpu.upload('case.mask', new Uint32Array(n).fill(0xdeadbeef), STORAGE); // overwritten word by word
  const [byRows, byColumns] = [junk(words.byRows), junk(words.byColumns)];
  const op = nonzeroMasks(gpu, await nonzeroPipeline(gpu, block, features), 'case.nonzero', features,
    { inp: { buffer: gpu.upload('case.inp', inp, STORAGE) }, byRows: { buffer: byRows }, byColumns: { buffer: byColumns } });
  run(gpu, new Schedule(gpu, 'case'), [step(rows)], [op]);
  const popcount = (w: number) => w.toString(2).replaceAll('0', '').length;
  const count = async (mask: GPUBuffer, rowsFirst: boolean): Promise<MaskCount> => {
    const got = new Uint32Array(await gpu.read(mask));
    const want = ref.nonzeroMask(inp, rows, features, rowsFirst, block);
    const [blocked, along] = rowsFirst ? [rows, features] : [features, rows];
    return { equal: got.length === want.length && got.every((w, i) => w === want[i]), words: want.length,
      setBits: want.reduce((n, w) => n + popcount(w), 0), bits: Math.ceil(blocked / block) * along };
  };
  return { byRows: await count(byRows, true), byColumns: await count(byColumns, false) };
}

/**
 * Layer 0's sparse products (forward, or backwardWeight) on a sparse batch, its mask made by the GPU as in
 * training, against the reference. With `emptyMask`, the mask says every value is zero: the product must
 * then skip everything and equal the reference for an all-zero input. With `texels`, the product reads its
 * operands from textures, copied there in order as a layer copies them (nIn and nOut multiples of 4).
 */
export async function sparseMatmulCase(strategy: MatmulStrategy, variant: 'forward' | 'backwardWeight', rows: number, nIn: number, nOut: number,
  emptyMask: boolean, seed: number, texels = false): Promise<Comparison> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const byRows = variant === 'forward';
  const inp = sparseInput(random, rows, nIn, 0.6);
  const weight = uniforms(random, nOut * nIn);
  const bias = uniforms(random, nOut);
  const dout = uniforms(random, rows * nOut);
  const upload = (label: string, data: Float32Array<ArrayBuffer>) => ({ buffer: gpu.upload(`case.${label}`, data, STORAGE) });
  const inpBuffer = upload('inp', inp);
  const words = nonzeroMaskWords(rows, nIn, strategy.block);
  const masks = { byRows: { buffer: gpu.buffer('case.byRows', words.byRows * 4, STORAGE) }, byColumns: { buffer: gpu.buffer('case.byColumns', words.byColumns * 4, STORAGE) } };
  const maskOp = nonzeroMasks(gpu, await nonzeroPipeline(gpu, strategy.block, nIn), 'case.nonzero', nIn, { inp: inpBuffer, ...masks });
  const mask = byRows ? masks.byRows : masks.byColumns;
  const kernel = await matmulKernel(gpu, variant, IDENTITY, strategy, byRows ? { m: rows, n: nOut } : { m: nIn, n: nOut }, { sparse: true, texels });
  const dims = { nIn, nOut };
  const out = gpu.buffer('case.out', (byRows ? rows * nOut : nOut * nIn) * 4, STORAGE);
  // With texels, each operand read from a texture is copied there first.
  const copies: Op[] = [];
  const operand = (label: string, src: Tensor, rowsOf: number, cols: number, batch: boolean): Operand => {
    if (!texels) return src;
    const texture = gpu.texels(`case.${label}Texels`, LINE, linesOf(rowsOf, cols));
    copies.push(copyInOrder(`case.${label}Texels`, rowsOf, cols, batch, { src, texels: texture }));
    return texture;
  };
  const inpRead = operand('inp', inpBuffer, rows, nIn, true);
  const op = byRows
    ? matmulForward(gpu, kernel, 'case.forward', dims, { inp: inpRead, weight: operand('weight', upload('weight', weight), nOut, nIn, false), bias: upload('bias', bias), out: { buffer: out }, mask })
    : matmulBackwardWeight(gpu, kernel, 'case.backwardWeight', dims, { dout: operand('dout', upload('dout', dout), rows, nOut, true), inp: inpRead, dweight: { buffer: out }, mask });
  run(gpu, new Schedule(gpu, 'case'), [step(rows)], [...copies, ...(emptyMask ? [] : [maskOp]), op]); // the mask buffer starts as zeros
  const seen = emptyMask ? new Float32Array(inp.length) : inp;
  return compare(await readF32(gpu, out),
    byRows ? ref.matmulForward(seen, weight, bias, rows, nIn, nOut, IDENTITY) : ref.matmulBackwardWeight(dout, seen, rows, nIn, nOut),
    byRows ? ref.matmulForward(abs(seen), abs(weight), abs(bias), rows, nIn, nOut, IDENTITY) : ref.matmulBackwardWeight(abs(dout), abs(seen), rows, nIn, nOut));
}

/**
 * The weight gradient of a 3 × 3 convolution fused with the 2 × 2 max pool after it, by Winograd
 * (winogradWeightGrad), against the twin (conv2dBackwardWeight). The forward runs first, for the input's
 * transformed tiles; dout is random on every window's positions, row by row as the fused product's rows come
 * (a position no window takes has no row, and no gradient). `rows` of a plan for `capacity`: the products'
 * parts are cut for the capacity, and a smaller batch gives each fewer tiles.
 */
export async function winogradWeightGradCase(strategy: MatmulStrategy, channels: number, filters: number, height: number, width: number,
  rows: number, capacity: number, seed: number): Promise<Comparison & { splits: number }> {
  const gpu = await getGpu();
  const random = new Random(seed);
  const g: ConvGeometry = { channels, height, width, outHeight: height - 2, outWidth: width - 2, kernel: [3, 3], stride: [1, 1], pad: [0, 0], padded: false };
  const positions = productPositions(g, true); // the windows' 4 positions each, window by window
  const tiles = positions.length / 4;
  const inp = uniforms(random, rows * channels * height * width);
  const weight = uniforms(random, filters * channels * 9);
  const dout = uniforms(random, rows * positions.length * filters);
  const empty = (label: string, floats: number) => ({ buffer: gpu.buffer(`case.${label}`, floats * 4, STORAGE) });
  const upload = (label: string, data: Float32Array<ArrayBuffer>) => ({ buffer: gpu.upload(`case.${label}`, data, STORAGE) });
  const transformed = { u: empty('u', 16 * channels * filters), v: empty('v', 16 * capacity * tiles * channels), p: empty('p', 16 * capacity * tiles * filters) };
  const forward = winogradForward(gpu, await winogradKernels(gpu, g, 'chw', IDENTITY, strategy, true, { tiles: capacity * tiles, filters }, false), 'case', g, 'chw', filters, {
    inp: upload('inp', inp), weight: upload('weight', weight), bias: empty('bias', filters), out: empty('out', capacity * tiles * filters),
    argmax: empty('argmax', capacity * tiles * filters), ...transformed,
  });
  const splits = winogradWeightGradSplits(capacity * tiles);
  const dweight = empty('dweight', filters * channels * 9);
  const grad = winogradWeightGrad(gpu, await winogradWeightGradKernels(gpu, g, filters, strategy), 'case', g, filters, splits, {
    dout: upload('dout', dout), v: transformed.v, q: transformed.p, parts: empty('parts', splits * 16 * channels * filters), dweight,
  });
  run(gpu, new Schedule(gpu, 'case'), [step(rows)], [...forward, ...grad]);
  // The twin's dout is (rows, F, out_height, out_width), zeros where no window is.
  const full = new Float32Array(rows * filters * g.outHeight * g.outWidth);
  for (let r = 0; r < rows; r++) {
    positions.forEach(([oy, ox], i) => {
      for (let f = 0; f < filters; f++) full[((r * filters + f) * g.outHeight + oy) * g.outWidth + ox] = dout[(r * positions.length + i) * filters + f];
    });
  }
  return { ...compare(await readF32(gpu, dweight.buffer), refLayers.conv2dBackwardWeight(full, inp, rows, filters, g).dweight,
    refLayers.conv2dBackwardWeight(abs(full), abs(inp), rows, filters, g).dweight), splits };
}
