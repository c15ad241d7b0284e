// A 3 × 3 convolution of stride 1 without padding by Winograd's F(2 × 2, 3 × 3) (shaders/winograd.wgsl):
// transform the weights and the input tiles, 16 products (shaders/winograd_product.wgsl with gemm.wgsl), then
// transform back, adding the bias and activating, and (pooled) taking each 2 × 2 window's max. 2.25× fewer
// multiplies than the direct product; the sums round differently, within float32's error of the same result.
// Where the autotune finds it faster, the products read the transformed weights from a texture of 4 filters a
// texel, which a pass of its own fills (src/ops/texels.ts): the same sums.
// Its input gradient likewise (shaders/winograd_grad.wgsl): the output gradient's tiles, 16 products with the
// forward's transformed weights, then back, through act' of the layer before. And, with the pool fused, its
// weight gradient (shaders/winograd_weight_grad.wgsl): the output gradient's tiles, 16 products with the
// forward's transformed input tiles, each summed in parts over the tiles, then the parts' sum back.

import type { Binding, Gpu } from '../runtime/gpu';
import { type Activation, activationConstants, IDENTITY } from './activation';
import type { ConvGeometry } from './conv2d';
import { type Layout, strides } from './layout';
import { matmulCover, type MatmulStrategy } from './matmul';
import { ceilDiv, kernel, makeOp, type Op, type ShaderPart, type Tensor } from './op';
import { copyToTexels, texelsPipeline, withScales } from './texels';

const WORKGROUP = 64;
/** The transformed tile's values: 4 × 4. */
const XI = 16;

/** Whether Winograd's F(2 × 2, 3 × 3) computes this convolution: a 3 × 3 kernel, stride 1, no padding. */
export const winogradFits = (g: ConvGeometry): boolean =>
  g.kernel[0] === 3 && g.kernel[1] === 3 && g.stride[0] === 1 && g.stride[1] === 1 && !g.padded;

/** Tiles of 2 × 2 output positions down and across: every position's, or (pooled) the 2 × 2 windows'. */
export function winogradTiles(g: ConvGeometry, pooled: boolean): [number, number] {
  const tiles = (n: number) => (pooled ? Math.floor(n / 2) : Math.ceil(n / 2));
  return [tiles(g.outHeight), tiles(g.outWidth)];
}

/** Floats per sample of the larger scratch buffer: the transformed tiles v or the products p (16 per tile, per channel or filter). */
export function winogradScratch(g: ConvGeometry, filters: number, pooled: boolean): number {
  const [th, tw] = winogradTiles(g, pooled);
  return XI * th * tw * Math.max(g.channels, filters);
}

/** Values the inputs (outputs) pass reads at once: 4 channels (filters) side by side where they lie so. */
const inputLanes = (g: ConvGeometry, layout: Layout) => (layout === 'hwc' && g.channels % 4 === 0 ? 4 : 1);
const outputLanes = (filters: number) => (filters % 4 === 0 ? 4 : 1);

/** The tile transforms a pass uses (shaders/winograd_tile.wgsl): writing the transformed tiles v, or reading the products p. */
const tilePart = (writes: boolean): ShaderPart => ({ file: 'winograd_tile.wgsl', flags: { writes_tiles: writes, reads_products: !writes } });

/** Tiles of 2 × 2 input positions down and across, for the input gradient. */
export const winogradGradTiles = (g: ConvGeometry): [number, number] => [Math.ceil(g.height / 2), Math.ceil(g.width / 2)];

/** Floats per sample of the input gradient's larger scratch buffer: the output gradient's tiles or the products (16 per tile, per filter or channel). */
export function winogradGradScratch(g: ConvGeometry, filters: number): number {
  const [th, tw] = winogradGradTiles(g);
  return XI * th * tw * Math.max(filters, g.channels);
}

export interface WinogradKernels {
  weights: GPUComputePipeline;
  /** With texels: the pass copying u into the texture the products read. */
  texels?: GPUComputePipeline;
  inputs: GPUComputePipeline;
  product: GPUComputePipeline;
  /** Rows (tiles) and columns (filters) of a product one workgroup covers. */
  cover: { m: number; n: number };
  outputs: GPUComputePipeline;
}

/**
 * Whether the forward's products can read the transformed weights u from a texture of 4 filters a texel
 * (src/ops/texels.ts): with register-blocked products, and u's 16 · C rows and ⌈F / 4⌉ texels within
 * the device's texture size.
 */
export function winogradTexelsFit(gpu: Gpu, g: ConvGeometry, filters: number, strategy: MatmulStrategy): boolean {
  const limit = gpu.device.limits.maxTextureDimension2D;
  return !strategy.tiled && XI * g.channels <= limit && Math.ceil(filters / 4) <= limit;
}

/**
 * Compiles the passes for an input in `layout`, and products of about `tiles` rows (every step's tiles) and
 * `filters` columns; with `texels` (where winogradTexelsFit), the products read u from a texture that a pass of
 * its own fills.
 */
export async function winogradKernels(gpu: Gpu, g: ConvGeometry, layout: Layout, activation: Activation, strategy: MatmulStrategy, pooled: boolean,
  size: { tiles: number; filters: number }, texels: boolean): Promise<WinogradKernels> {
  if (texels && strategy.tiled) throw new Error('winograd: texels need register-blocked products');
  const transform = (flags: { weights?: boolean; inputs?: boolean; vec4?: boolean }, bindings: Binding[], act = IDENTITY) =>
    kernel(gpu, 'winograd.wgsl', { weights: false, inputs: false, vec4: false, pooled, ...flags }, { WORKGROUP, ...activationConstants(act) }, bindings,
      flags.weights ? undefined : tilePart(flags.inputs === true));
  const cover = matmulCover(strategy, { m: size.tiles, n: size.filters });
  const core = { tiled: strategy.tiled, small: strategy.block === 8, sparse: false, pooled: false, notesLive: false, readsLive: false, texels, texelsA: false };
  const [weights, texelsPass, inputs, product, outputs] = await Promise.all([
    transform({ weights: true }, ['uniform', 'read', 'write']),
    texels ? texelsPipeline(gpu) : undefined,
    transform({ inputs: true, vec4: inputLanes(g, layout) === 4 }, ['uniform', 'read', 'write']),
    kernel(gpu, 'winograd_product.wgsl', { flipped: false, weightGrad: false, texels },
      { TILE: strategy.tile, BLOCKS_X: cover.n / strategy.block, BLOCKS_Y: cover.m / strategy.block },
      texels ? ['uniform', 'read', 'texels', 'write', 'nearest'] : ['uniform', 'read', 'read', 'write'], { file: 'gemm.wgsl', flags: core }),
    transform({ vec4: outputLanes(size.filters) === 4 }, ['uniform', 'read', 'read', 'write', ...(pooled ? ['write' as const] : [])], activation),
  ]);
  return { weights, texels: texelsPass, inputs, product, cover, outputs };
}

export interface WinogradGradKernels {
  tiles: GPUComputePipeline;
  product: GPUComputePipeline;
  /** Rows (tiles) and columns (channels) of a product one workgroup covers. */
  cover: { m: number; n: number };
  inputs: GPUComputePipeline;
}

/**
 * Compiles the input gradient's passes, for products of about `tiles` rows (every step's input tiles); `pooled`:
 * dout's rows come window by window; `previous`: the activation of the layer before, whose derivative it applies.
 */
export async function winogradGradKernels(gpu: Gpu, g: ConvGeometry, filters: number, previous: Activation, strategy: MatmulStrategy, pooled: boolean,
  tiles: number): Promise<WinogradGradKernels> {
  const cover = matmulCover(strategy, { m: tiles, n: g.channels });
  const core = { tiled: strategy.tiled, small: strategy.block === 8, sparse: false, pooled: false, notesLive: false, readsLive: false, texels: false, texelsA: false };
  const [tilesPass, product, inputs] = await Promise.all([
    kernel(gpu, 'winograd_grad.wgsl', { tiles: true, vec4: outputLanes(filters) === 4, pooled }, { WORKGROUP }, ['uniform', 'read', 'write'], tilePart(true)),
    kernel(gpu, 'winograd_product.wgsl', { flipped: true, weightGrad: false, texels: false }, { TILE: strategy.tile, BLOCKS_X: cover.n / strategy.block, BLOCKS_Y: cover.m / strategy.block },
      ['uniform', 'read', 'read', 'write'], { file: 'gemm.wgsl', flags: core }),
    kernel(gpu, 'winograd_grad.wgsl', { tiles: false, vec4: inputLanes(g, 'hwc') === 4, pooled: false }, { WORKGROUP, ...activationConstants(previous) },
      ['uniform', 'read', 'read', 'write'], tilePart(false)),
  ]);
  return { tiles: tilesPass, product, cover, inputs };
}

/**
 * The scratch the passes share: u (16, C, F), v (16, capacity · tiles, C), p (16, capacity · tiles, F); and,
 * where the products read u from a texture, that texture (16 · C, ⌈F / 4⌉ texels).
 */
export interface WinogradScratch {
  u: Tensor;
  v: Tensor;
  p: Tensor;
  uTexels?: GPUTexture;
}

/**
 * out = act(conv(inp, weight) + bias), channels last: (rows, out_height, out_width, F), or pooled (rows,
 * windows, F) with argmax, as the fused convolution and max pool's product writes them. inp (rows, C, H, W)
 * is stored in `layout`; weight is (F, C, 3, 3).
 */
export function winogradForward(gpu: Gpu, k: WinogradKernels, label: string, g: ConvGeometry, layout: Layout, filters: number,
  t: { inp: Tensor; weight: Tensor; bias: Tensor; out: Tensor; argmax?: Tensor } & WinogradScratch): Op[] {
  const [th, tw] = winogradTiles(g, t.argmax !== undefined);
  const tiles = th * tw;
  // Sizes and strides, channels (filters) counted in the values a thread reads at once.
  const dims = (channels: number, f: number) => new Uint32Array([channels, g.height, g.width, ...strides(layout, channels, g.height, g.width),
    g.outHeight, g.outWidth, th, tw, f]);
  const [cIn, fOut] = [g.channels / inputLanes(g, layout), filters / outputLanes(filters)];
  if ((k.texels === undefined) !== (t.uTexels === undefined)) throw new Error('winograd: texels kernels and the texture come together');
  const texels = t.uTexels;
  const texelsOps = k.texels && texels ? [copyToTexels(gpu, k.texels, `${label}.winogradTexels`, XI * g.channels, filters, { src: t.u, texels })] : [];
  const productDims = [g.channels, filters, tiles, 0];
  return [
    makeOp(gpu, `${label}.winogradWeights`, k.weights, dims(g.channels, filters), [t.weight, t.u], () => [ceilDiv(g.channels * filters, WORKGROUP), 1]),
    ...texelsOps,
    makeOp(gpu, `${label}.winogradInputs`, k.inputs, dims(cIn, filters), [t.inp, t.v], (rows) => [ceilDiv(tiles * cIn, WORKGROUP), rows]),
    makeOp(gpu, `${label}.winogradProducts`, k.product, texels ? withScales(productDims, [texels]) : new Uint32Array(productDims),
      texels ? [t.v, texels.createView({ label: `${label}.winogradWeightTexels` }), t.p, gpu.nearest] : [t.v, t.u, t.p],
      (rows) => [ceilDiv(filters, k.cover.n), ceilDiv(rows * tiles, k.cover.m), XI]),
    makeOp(gpu, `${label}.winogradOutputs`, k.outputs, dims(g.channels, fOut), [t.p, t.bias, t.out, ...(t.argmax ? [t.argmax] : [])],
      (rows) => [ceilDiv(tiles * fOut, WORKGROUP), rows]),
  ];
}

/**
 * dinp (rows, H, W, C), channels last = the input gradient of the convolution whose forward wrote `u`, through
 * act' of the layer before (from inp, its output, channels last); dout is the forward product's rows (pooled:
 * window by window), (rows · positions, F).
 */
export function winogradInputGrad(gpu: Gpu, k: WinogradGradKernels, label: string, g: ConvGeometry, filters: number,
  t: { dout: Tensor; u: Tensor; inp: Tensor; dinp: Tensor; v: Tensor; p: Tensor }): Op[] {
  const [th, tw] = winogradGradTiles(g);
  const tiles = th * tw;
  const dims = (f: number, channels: number) => new Uint32Array([f, channels, g.height, g.width, g.outHeight, g.outWidth]);
  const [fIn, cOut] = [filters / outputLanes(filters), g.channels / inputLanes(g, 'hwc')];
  return [
    makeOp(gpu, `${label}.winogradGradTiles`, k.tiles, dims(fIn, g.channels), [t.dout, t.v], (rows) => [ceilDiv(tiles * fIn, WORKGROUP), rows]),
    makeOp(gpu, `${label}.winogradGradProducts`, k.product, new Uint32Array([filters, g.channels, tiles, 0]), [t.v, t.u, t.p],
      (rows) => [ceilDiv(g.channels, k.cover.n), ceilDiv(rows * tiles, k.cover.m), XI]),
    makeOp(gpu, `${label}.inputGrad`, k.inputs, dims(filters, cOut), [t.p, t.inp, t.dinp], (rows) => [ceilDiv(tiles * cOut, WORKGROUP), rows]),
  ];
}

/**
 * Tiles each part of the weight gradient's products sums at most: enough parts for the GPU, few to add up. In
 * Deno, the MNIST ConvNet at batch 64 (1,600 tiles), 4 parts ran faster than 13 (128 tiles each): the products
 * 7.3 against 7.8 ms on SwiftShader, 5.0 against 5.3 on lavapipe.
 */
const TILES_PER_PART = 512;

/** Parts of each of the weight gradient's products, for batches of up to `tiles` tiles (every step's). */
export const winogradWeightGradSplits = (tiles: number): number => Math.max(1, Math.ceil(tiles / TILES_PER_PART));

export interface WinogradWeightGradKernels {
  tiles: GPUComputePipeline;
  product: GPUComputePipeline;
  /** Rows (channels) and columns (filters) of a product one workgroup covers. */
  cover: { m: number; n: number };
  weights: GPUComputePipeline;
}

/** Compiles the weight gradient's passes, for a convolution (fused with its 2 × 2 max pool) of `filters` filters. */
export async function winogradWeightGradKernels(gpu: Gpu, g: ConvGeometry, filters: number, strategy: MatmulStrategy): Promise<WinogradWeightGradKernels> {
  const cover = matmulCover(strategy, { m: g.channels, n: filters });
  const core = { tiled: strategy.tiled, small: strategy.block === 8, sparse: false, pooled: false, notesLive: false, readsLive: false, texels: false, texelsA: false };
  const [tilesPass, product, weights] = await Promise.all([
    kernel(gpu, 'winograd_weight_grad.wgsl', { tiles: true, vec4: outputLanes(filters) === 4 }, { WORKGROUP }, ['uniform', 'read', 'write']),
    kernel(gpu, 'winograd_product.wgsl', { flipped: false, weightGrad: true, texels: false }, { TILE: strategy.tile, BLOCKS_X: cover.n / strategy.block, BLOCKS_Y: cover.m / strategy.block },
      ['uniform', 'read', 'read', 'write'], { file: 'gemm.wgsl', flags: core }),
    kernel(gpu, 'winograd_weight_grad.wgsl', { tiles: false, vec4: false }, { WORKGROUP }, ['uniform', 'read', 'write']),
  ]);
  return { tiles: tilesPass, product, cover, weights };
}

/**
 * dweight (F, C, 3, 3) of the convolution whose forward (pooled: a tile is a window) wrote `v`, the input's
 * transformed tiles (16, rows · tiles, C); dout is its product's rows, window by window, (rows · tiles · 4, F).
 * q (16, rows · tiles, F) takes the output gradient's tiles (the forward's products are spent by then), and
 * parts (splits, 16, C, F) the products' parts.
 */
export function winogradWeightGrad(gpu: Gpu, k: WinogradWeightGradKernels, label: string, g: ConvGeometry, filters: number, splits: number,
  t: { dout: Tensor; v: Tensor; q: Tensor; parts: Tensor; dweight: Tensor }): Op[] {
  const [th, tw] = winogradTiles(g, true);
  const tiles = th * tw;
  const dims = (f: number) => new Uint32Array([f, g.channels, tiles, splits]);
  const fIn = filters / outputLanes(filters);
  return [
    makeOp(gpu, `${label}.winogradWeightGradTiles`, k.tiles, dims(fIn), [t.dout, t.q], (rows) => [ceilDiv(tiles * fIn, WORKGROUP), rows]),
    makeOp(gpu, `${label}.winogradWeightGradProducts`, k.product, new Uint32Array([g.channels, filters, tiles, splits]), [t.v, t.q, t.parts],
      () => [ceilDiv(filters, k.cover.n), ceilDiv(g.channels, k.cover.m), XI * splits]),
    makeOp(gpu, `${label}.weightGrad`, k.weights, dims(filters), [t.parts, t.dweight], () => [ceilDiv(g.channels * filters, WORKGROUP), 1]),
  ];
}
