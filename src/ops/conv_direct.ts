// A one-channel 5 × 5 convolution and the 2 × 2 max pool after it, computed directly (shaders/conv_direct.wgsl):
// a thread keeps the 6 × 8 input values under each of two pairs of windows in registers and runs through every
// filter, reading its weights once for both. It writes
// what the patches' pooled product writes (out and argmax, and the live rows), so either can run the forward.

import type { Gpu } from '../runtime/gpu';
import { type Activation, activationConstants } from './activation';
import type { ConvGeometry } from './conv2d';
import { ceilDiv, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 16;

/** The pool's windows down and across: floor(out / 2) each way. */
const windowsOf = (g: ConvGeometry): [number, number] => [Math.floor(g.outHeight / 2), Math.floor(g.outWidth / 2)];

/** Whether the direct kernel computes this convolution and its fused pool: one channel, 5 × 5, stride 1, no padding, an even number of windows across. */
export function directFits(g: ConvGeometry): boolean {
  const [windowsH, windowsW] = windowsOf(g);
  return g.channels === 1 && g.kernel[0] === 5 && g.kernel[1] === 5 && g.stride[0] === 1 && g.stride[1] === 1 && !g.padded &&
    windowsH > 0 && windowsW > 0 && windowsW % 2 === 0;
}

/** `block`: rows of the product per word of the live rows (8 or 16), as the weight gradient's register blocks; `live`: whether it writes them. */
export function directPipeline(gpu: Gpu, activation: Activation, block: number, live: boolean): Promise<GPUComputePipeline> {
  if (block !== 8 && block !== 16) throw new Error(`conv direct: no live words of ${block} rows`);
  return kernel(gpu, 'conv_direct.wgsl', { live }, { WORKGROUP, BLOCK: block, ...activationConstants(activation) },
    ['uniform', 'read', 'read', 'read', 'write', 'write', ...(live ? ['write' as const] : [])]);
}

/**
 * out (rows, windows, F) = act(the pool of conv(inp, weight) + bias), with argmax (rows, windows, F) and, for a
 * live pipeline, live; inp (rows, 1, H, W), weight (F, 1, 5, 5).
 */
export function directForward(gpu: Gpu, pipeline: GPUComputePipeline, label: string, g: ConvGeometry, filters: number,
  t: { inp: Tensor; weight: Tensor; bias: Tensor; out: Tensor; argmax: Tensor; live?: Tensor }): Op {
  const [windowsH, windowsW] = windowsOf(g);
  const pairs = (windowsH * windowsW) / 2;
  return makeOp(gpu, label, pipeline, new Uint32Array([g.height, g.width, windowsH, windowsW, filters]),
    [t.inp, t.weight, t.bias, t.out, t.argmax, ...(t.live ? [t.live] : [])], (rows) => [ceilDiv(rows * pairs, 2 * WORKGROUP), 1]);
}
