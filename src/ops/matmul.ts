// The dense-layer products: forward (with bias and activation), and the two backward products, each a
// shaders/matmul_{variant}.wgsl saying where its operands lie, with shaders/gemm.wgsl computing it. Shapes: inp (rows, n_in), weight (n_out, n_in), bias (n_out), out (rows, n_out), with
// rows = step rows · positions (1 for a dense layer; a convolution's output positions per sample).
// The sparse variants take inp's nonzero mask (ops/nonzero.ts) and skip its zero blocks; with texels, they read
// their operands from textures (ops/texels.ts), the forward in a kernel of its own (shaders/matmul_texels.wgsl).

import type { Binding, Gpu } from '../runtime/gpu';
import { type Activation, activationConstants } from './activation';
import { ceilDiv, type Grid, kernel, makeOp, type Op, type ShaderPart, type Tensor } from './op';
import { withScales } from './texels';

export type MatmulVariant = 'forward' | 'backwardInput' | 'backwardWeight';
export interface LayerDims {
  nIn: number;
  nOut: number;
  /** Rows of the product per sample: 1 for a dense layer (the default), output positions for a convolution. */
  positions?: number;
  /** With patches: values per sample of the convolution's input. */
  sample?: number;
}

/** A convolution's patches as they lie in its input: where each position's patch starts in a sample, and where each tap is from there. */
export interface Patches {
  taps: Tensor;
  corners: Tensor;
}

/** How the product is computed: workgroup-memory tiles of tile × tile, or block × block register blocks per thread. */
export interface MatmulStrategy {
  tiled: boolean;
  /** The workgroup is tile × tile threads (at most, register-blocked). */
  tile: number;
  /** Register-blocked: each thread's block of C is block × block (16, or 8: quicker to compile); tiled ignores it. */
  block: number;
}
export const TILED: MatmulStrategy = { tiled: true, tile: 16, block: 16 };
export const BLOCKED: MatmulStrategy = { tiled: false, tile: 4, block: 16 }; // small workgroups: enough of them for every core
export const BLOCKED8: MatmulStrategy = { tiled: false, tile: 4, block: 8 };

/**
 * How many rows (m) and columns (n) of C one workgroup covers, for a product C of `size` (at most, without one).
 * A register-blocked workgroup has no more threads across (down) than C has blocks of columns (rows).
 */
export function matmulCover(strategy: MatmulStrategy, size?: { m: number; n: number }): { m: number; n: number } {
  if (strategy.tiled) return { m: strategy.tile, n: strategy.tile };
  const { block, tile } = strategy;
  const blocks = (extent: number | undefined) => block * Math.min(tile, Math.ceil((extent ?? Infinity) / block));
  return { m: blocks(size?.m), n: blocks(size?.n) };
}

/** A compiled variant and how many rows (m) and columns (n) of C one workgroup covers. */
export interface MatmulKernel {
  pipeline: GPUComputePipeline;
  cover: { m: number; n: number };
  /** Skips inp's zero blocks; backwardWeight then computes dweightᵀ = inpᵀ · dout, of (n_in, n_out). */
  sparse: boolean;
  /** backwardWeight writes each sample's sum: dweight (rows, n_out, n_in). */
  perSample: boolean;
  /** inp is a convolution's input, read as patches through tables (forward's A, backwardWeight's B). */
  patches: boolean;
  /** Reads its operands from textures (ops/texels.ts): forward inp and weight, backwardWeight dout and inp. */
  texels: boolean;
}

/**
 * Compiles a variant for products C of about `size` (rows m, columns n: they shape a register-blocked
 * workgroup). `sparse` (forward and backwardWeight, register-blocked only) adds a binding for inp's nonzero
 * mask: by rows for forward, by columns for backwardWeight. `perSample` (backwardWeight) sums each sample's
 * positions apart, for a convolution (whose weights are few and positions many). `patches` (forward, and
 * per-sample backwardWeight) reads a convolution's patches from its input through two tables. `columns`
 * (backwardInput) writes dinp's columns in another order than the weight's, through a table. `pooled`
 * (forward, with patches whose positions come 2 × 2 window by window) writes each window's max and argmax.
 * `live` (register-blocked, with patches): forward notes which rows' patches hold a nonzero value, and the
 * per-sample backwardWeight sums over those rows only. `texels` (sparse, 8 × 8 blocks): forward reads inp and
 * the weight, backwardWeight dout and inp, from textures holding them in order (n_in and n_out multiples of 4).
 */
export async function matmulKernel(gpu: Gpu, variant: MatmulVariant, activation: Activation, strategy: MatmulStrategy,
  size: { m: number; n: number },
  o: { sparse?: boolean; perSample?: boolean; patches?: boolean; columns?: boolean; pooled?: boolean; live?: boolean; texels?: boolean } = {}): Promise<MatmulKernel> {
  const { sparse = false, perSample = false, patches = false, columns = false, pooled = false, live = false, texels = false } = o;
  if (sparse && (strategy.tiled || variant === 'backwardInput')) throw new Error(`matmul: no sparse ${variant} for this strategy`);
  if (perSample && (sparse || variant !== 'backwardWeight')) throw new Error(`matmul: no per-sample ${variant}${sparse ? ' (sparse)' : ''}`);
  if (patches && (sparse || variant === 'backwardInput' || (variant === 'backwardWeight' && !perSample))) {
    throw new Error(`matmul: no patches for ${variant}${sparse ? ' (sparse)' : ''}${perSample ? '' : ' (not per sample)'}`);
  }
  if (columns && variant !== 'backwardInput') throw new Error(`matmul: no columns table for ${variant}`);
  if (pooled && (variant !== 'forward' || !patches)) throw new Error(`matmul: no pooled ${variant}${patches ? '' : ' (without patches)'}`);
  if (live && (!patches || strategy.tiled || variant === 'backwardInput')) throw new Error(`matmul: no live rows for ${variant}${patches ? '' : ' (without patches)'}${strategy.tiled ? ' (tiled)' : ''}`);
  if (texels && (!sparse || strategy.block !== 8)) throw new Error(`matmul: no texels for ${variant}${sparse ? '' : ' (not sparse)'} with blocks of ${strategy.block}`);
  const cover = matmulCover(strategy, size);
  if (texels && variant === 'forward') {
    const constants = { BLOCKS_X: cover.n / strategy.block, BLOCKS_Y: cover.m / strategy.block, ...activationConstants(activation) };
    const pipeline = await kernel(gpu, 'matmul_texels.wgsl', {}, constants, ['uniform', 'texels', 'texels', 'read', 'write', 'read', 'nearest']);
    return { pipeline, cover, sparse, perSample, patches, texels };
  }
  const files: Record<MatmulVariant, ShaderPart> = {
    forward: { file: 'matmul_forward.wgsl', flags: { sparse, patches, pooled, live } },
    backwardInput: { file: 'matmul_backward_input.wgsl', flags: { columns } },
    backwardWeight: { file: 'matmul_backward_weight.wgsl', flags: { sparse, perSample, patches, live, texels } },
  };
  const operands = files[variant];
  const core = { tiled: strategy.tiled, small: strategy.block === 8, sparse, pooled, notesLive: live && variant === 'forward', readsLive: live && variant === 'backwardWeight',
    texels, texelsA: texels };
  const bindings: Binding[] = variant === 'backwardWeight' ? ['uniform', texels ? 'texels' : 'read', texels ? 'texels' : 'read', 'write'] : ['uniform', 'read', 'read', 'read', 'write'];
  if (sparse) bindings.push('read');
  if (patches) bindings.push('read', 'read');
  if (columns) bindings.push('read');
  if (pooled) bindings.push('write');
  if (live) bindings.push(variant === 'forward' ? 'write' : 'read');
  if (texels) bindings.push('nearest');
  const constants = { TILE: strategy.tile, BLOCKS_X: cover.n / strategy.block, BLOCKS_Y: cover.m / strategy.block, ...activationConstants(activation) };
  const pipeline = await kernel(gpu, operands.file, operands.flags, constants, bindings, { file: 'gemm.wgsl', flags: core });
  return { pipeline, cover, sparse, perSample, patches, texels };
}

const dimsOf = (d: LayerDims) => new Uint32Array([d.nIn, d.nOut, d.positions ?? 1, d.sample ?? 0]);

/**
 * out = act(inp · weightᵀ + bias); `mask`: inp's nonzero mask by rows, for a sparse kernel; `patches` for a
 * patches kernel; `argmax` for a pooled kernel, whose out is then (rows / 4, n_out); `live` for a live kernel;
 * for a texels kernel, inp and weight are their textures
 */
export function matmulForward(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { inp: Operand; weight: Operand; bias: Tensor; out: Tensor; mask?: Tensor; patches?: Patches; argmax?: Tensor; live?: Tensor }): Op {
  const extra = [t.mask, t.patches?.taps, t.patches?.corners, t.argmax, t.live].filter((tensor) => tensor !== undefined);
  const grid = (rows: number): Grid => [ceilDiv(dims.nOut, k.cover.n), ceilDiv(rows * (dims.positions ?? 1), k.cover.m)];
  if (k.texels) {
    const [inp, weight] = textures([t.inp, t.weight]);
    return makeOp(gpu, label, k.pipeline, withScales([dims.nIn, dims.nOut, dims.nIn / 4, 0], [inp, weight]),
      [inp.createView(), weight.createView(), t.bias, t.out, ...extra, gpu.nearest], grid);
  }
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), buffers([t.inp, t.weight, t.bias, t.out, ...extra]), grid);
}

/**
 * dinp = (dout · weight) ⊙ act'(inp), with inp the previous layer's activated output; `columns` (for a kernel
 * with a columns table): dinp's column n is the weight's column columns[n]
 */
export function matmulBackwardInput(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { dout: Tensor; weight: Tensor; inp: Tensor; dinp: Tensor; columns?: Tensor }): Op {
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), [t.dout, t.weight, t.inp, t.dinp, ...(t.columns ? [t.columns] : [])],
    (rows) => [ceilDiv(dims.nIn, k.cover.n), ceilDiv(rows * (dims.positions ?? 1), k.cover.m)]);
}

/**
 * dweight = doutᵀ · inp (per sample: (rows, n_out, n_in)); `mask`: inp's nonzero mask by columns, for a sparse
 * kernel; `patches` for a patches kernel; `live` for a live kernel (as its forward wrote it); for a texels kernel,
 * dout and inp are their textures
 */
export function matmulBackwardWeight(gpu: Gpu, k: MatmulKernel, label: string, dims: LayerDims,
  t: { dout: Operand; inp: Operand; dweight: Tensor; mask?: Tensor; patches?: Patches; live?: Tensor }): Op {
  const extra = [t.mask, t.patches?.taps, t.patches?.corners, t.live].filter((tensor) => tensor !== undefined);
  const grid = (rows: number): Grid => (k.sparse ? [ceilDiv(dims.nOut, k.cover.n), ceilDiv(dims.nIn, k.cover.m)]
    : [ceilDiv(dims.nIn, k.cover.n), ceilDiv(dims.nOut, k.cover.m), k.perSample ? rows : 1]);
  if (k.texels) {
    const [dout, inp] = textures([t.dout, t.inp]);
    return makeOp(gpu, label, k.pipeline, withScales([...dimsOf(dims)], [inp, dout]), [dout.createView(), inp.createView(), t.dweight, ...extra, gpu.nearest], grid);
  }
  return makeOp(gpu, label, k.pipeline, dimsOf(dims), buffers([t.dout, t.inp, t.dweight, ...extra]), grid);
}

/** An operand a product reads: a tensor in a buffer, or (a texels kernel's) its texture. */
export type Operand = Tensor | GPUTexture;
const isTexture = (operand: Operand): operand is GPUTexture => 'createView' in operand;

/** A texels kernel's texture operands, checked. */
function textures(operands: Operand[]): GPUTexture[] {
  if (!operands.every(isTexture)) throw new Error('matmul: a texels kernel reads its operands from textures');
  return operands;
}

/** Another kernel's buffer operands, checked. */
function buffers(operands: Operand[]): Tensor[] {
  if (operands.some(isTexture)) throw new Error('matmul: only a texels kernel reads textures');
  return operands as Tensor[];
}
