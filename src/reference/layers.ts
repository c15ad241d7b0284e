// The CPU oracle for convolution, pooling and dropout: plain loops in float64 over tensors stored (rows, C, H, W),
// as PyTorch stores them, written from the definitions and not from the GPU's way of computing them (patches,
// matrix products, channels last). The GPU tests compare against these.

import type { ConvGeometry } from '../ops/conv2d';
import type { PoolGeometry, PoolKind } from '../ops/pool';
import { hash } from './kernels';

type Numbers = ArrayLike<number>;

/** Calls visit(y, x, ky, kx) for each tap of output position (oy, ox) that falls inside the input (not the padding). */
function taps(g: ConvGeometry, oy: number, ox: number, visit: (y: number, x: number, ky: number, kx: number) => void): void {
  const [kh, kw] = g.kernel;
  for (let ky = 0; ky < kh; ky++) {
    const y = oy * g.stride[0] - g.pad[0] + ky;
    if (y < 0 || y >= g.height) continue;
    for (let kx = 0; kx < kw; kx++) {
      const x = ox * g.stride[1] - g.pad[1] + kx;
      if (x >= 0 && x < g.width) visit(y, x, ky, kx);
    }
  }
}

/** Calls visit(o, r, f, oy, ox) for each output value, o counting them in (rows, filters, outHeight, outWidth) order. */
function outputs(rows: number, filters: number, g: ConvGeometry, visit: (o: number, r: number, f: number, oy: number, ox: number) => void): void {
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < filters; f++) {
      for (let oy = 0; oy < g.outHeight; oy++) {
        for (let ox = 0; ox < g.outWidth; ox++) visit(o++, r, f, oy, ox);
      }
    }
  }
}

/** out (rows, filters, outHeight, outWidth) = bias + the convolution of inp (rows, C, H, W) with weight (filters, C, kh, kw), before any activation. */
export function conv2dForward(inp: Numbers, weight: Numbers, bias: Numbers, rows: number, filters: number, g: ConvGeometry): Float64Array {
  const [kh, kw] = g.kernel;
  const C = g.channels;
  const out = new Float64Array(rows * filters * g.outHeight * g.outWidth);
  outputs(rows, filters, g, (o, r, f, oy, ox) => {
    let sum = bias[f];
    for (let c = 0; c < C; c++) {
      taps(g, oy, ox, (y, x, ky, kx) => (sum += weight[((f * C + c) * kh + ky) * kw + kx] * inp[((r * C + c) * g.height + y) * g.width + x]));
    }
    out[o] = sum;
  });
  return out;
}

/** dinp (rows, C, H, W): each input value's share of dout (rows, filters, outHeight, outWidth), through weight. */
export function conv2dBackwardInput(dout: Numbers, weight: Numbers, rows: number, filters: number, g: ConvGeometry): Float64Array {
  const [kh, kw] = g.kernel;
  const C = g.channels;
  const dinp = new Float64Array(rows * C * g.height * g.width);
  outputs(rows, filters, g, (o, r, f, oy, ox) => {
    for (let c = 0; c < C; c++) {
      taps(g, oy, ox, (y, x, ky, kx) => (dinp[((r * C + c) * g.height + y) * g.width + x] += dout[o] * weight[((f * C + c) * kh + ky) * kw + kx]));
    }
  });
  return dinp;
}

/** dweight (filters, C, kh, kw) and dbias (filters): sums over rows and output positions. */
export function conv2dBackwardWeight(dout: Numbers, inp: Numbers, rows: number, filters: number, g: ConvGeometry): { dweight: Float64Array; dbias: Float64Array } {
  const [kh, kw] = g.kernel;
  const C = g.channels;
  const dweight = new Float64Array(filters * C * kh * kw);
  const dbias = new Float64Array(filters);
  outputs(rows, filters, g, (o, r, f, oy, ox) => {
    dbias[f] += dout[o];
    for (let c = 0; c < C; c++) {
      taps(g, oy, ox, (y, x, ky, kx) => (dweight[((f * C + c) * kh + ky) * kw + kx] += dout[o] * inp[((r * C + c) * g.height + y) * g.width + x]));
    }
  });
  return { dweight, dbias };
}

/** Calls visit(o, cells) for each window, o its index in the output (rows, C, outHeight, outWidth), cells its values' indices in inp. */
function windows(rows: number, g: PoolGeometry, visit: (out: number, cells: number[]) => void): void {
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < g.channels; c++) {
      for (let oy = 0; oy < g.outHeight; oy++) {
        for (let ox = 0; ox < g.outWidth; ox++) {
          const cells: number[] = [];
          for (let i = 0; i < g.size[0]; i++) {
            for (let j = 0; j < g.size[1]; j++) cells.push(((r * g.channels + c) * g.height + oy * g.stride[0] + i) * g.width + ox * g.stride[1] + j);
          }
          visit(o++, cells);
        }
      }
    }
  }
}

/** The cell of a window holding its maximum: the first, in row-major order, of equal ones. */
function argmax(inp: Numbers, cells: number[]): number {
  let best = cells[0];
  for (const cell of cells) if (inp[cell] > inp[best]) best = cell;
  return best;
}

/** out (rows, C, outHeight, outWidth): the max (or mean) of each window of inp (rows, C, H, W). */
export function poolForward(inp: Numbers, rows: number, g: PoolGeometry, kind: PoolKind): Float64Array {
  const out = new Float64Array(rows * g.channels * g.outHeight * g.outWidth);
  windows(rows, g, (o, cells) => {
    out[o] = kind === 'max' ? inp[argmax(inp, cells)] : cells.reduce((sum, cell) => sum + inp[cell], 0) / cells.length;
  });
  return out;
}

/** dinp (rows, C, H, W): dout of each window, to its maximum (or shared evenly among its values). */
export function poolBackward(inp: Numbers, dout: Numbers, rows: number, g: PoolGeometry, kind: PoolKind): Float64Array {
  const dinp = new Float64Array(rows * g.channels * g.height * g.width);
  windows(rows, g, (o, cells) => {
    if (kind === 'max') dinp[argmax(inp, cells)] += dout[o];
    else for (const cell of cells) dinp[cell] += dout[o] / cells.length;
  });
  return dinp;
}

/**
 * What dropout multiplies value f (in (C, H, W) order) of batch row r by, in a step with seed `seed`: 0 with
 * probability `rate`, else 1 / (1 - rate), as float32 values, drawn as shaders/pointwise.wgsl draws them.
 */
export function dropoutKeep(seed: number, salt: number, features: number, r: number, f: number, rate: number): number {
  const draw = hash((hash((seed ^ hash(salt)) >>> 0) ^ hash((r * features + f) >>> 0)) >>> 0);
  return (draw >>> 8) / 16777216 >= Math.fround(rate) ? Math.fround(1 / (1 - rate)) : 0;
}

