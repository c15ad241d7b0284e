// Matrices copied into textures of rgba32float texels, 4 values of a row a texel, for products to read 4 values
// in one fetch. Two layouts:
// - by rows (shaders/texels.wgsl, a pass): src (rows, cols) → texture (⌈cols / 4⌉ wide, rows high), zeros past
//   the last column; any cols.
// - in order (copyBufferToTexture, no shader): the values as they lie, LINE texels a texture row, so that a
//   matrix of cols a multiple of 4 is copied whole. A pass that writes texels with textureStore costs Dawn a
//   query of the texture's size per texel: on SwiftShader, copying 512 MNIST digits took such a pass 1.9 ms,
//   and copyBufferToTexture 0.04-0.11.

import type { Gpu } from '../runtime/gpu';
import { ceilDiv, type CopyOp, kernel, makeOp, type Op, type Tensor } from './op';

const WORKGROUP = 64;

export function texelsPipeline(gpu: Gpu): Promise<GPUComputePipeline> {
  return kernel(gpu, 'texels.wgsl', {}, { WORKGROUP }, ['uniform', 'read', 'writeTexels']);
}

/** Copies src (rows, cols) by rows into `texels` (⌈cols / 4⌉ × rows texels). */
export function copyToTexels(gpu: Gpu, pipeline: GPUComputePipeline, label: string, rows: number, cols: number,
  t: { src: Tensor; texels: GPUTexture }): Op {
  const quads = Math.ceil(cols / 4);
  return makeOp(gpu, label, pipeline, new Uint32Array([rows, cols, quads]), [t.src, t.texels.createView({ label })],
    () => [ceilDiv(rows * quads, WORKGROUP), 1]);
}

/**
 * A kernel's settings (its Dims): `words` (u32, an even count), then for each of `textures` the reciprocals of
 * its size, a vec2f that shaders/common.wgsl's texel_at scales coordinates by.
 */
export function withScales(words: number[], textures: GPUTexture[]): Uint32Array {
  const settings = new Uint32Array(words.length + 2 * textures.length);
  settings.set(words);
  new Float32Array(settings.buffer).set(textures.flatMap((t) => [1 / t.width, 1 / t.height]), words.length);
  return settings;
}

/** Texels a texture row of the in-order layout: 1,024 bytes (copyBufferToTexture wants a multiple of 256). */
export const LINE = 64;

/** Texture rows of the in-order layout for rows × cols values (cols a multiple of 4). */
export const linesOf = (rows: number, cols: number): number => Math.ceil((rows * cols) / 4 / LINE);

/** Whether a matrix of rows × cols can lie in order in a texture on this device: cols a multiple of 4 (a texel never spans two rows). */
export function inOrderFits(gpu: Gpu, rows: number, cols: number): boolean {
  return cols % 4 === 0 && linesOf(rows, cols) <= gpu.device.limits.maxTextureDimension2D;
}

/**
 * Copies src (rows, cols) in order into `texels` (LINE × linesOf(rows, cols) texels, cols a multiple of 4):
 * whole lines in one copy, the last part line in another. With `batch`, src holds a batch of up to `rows` rows,
 * and only the step's are copied.
 */
export function copyInOrder(label: string, rows: number, cols: number, batch: boolean, t: { src: Tensor; texels: GPUTexture }): CopyOp {
  return {
    label,
    owned: [],
    copy(encoder, stepRows) {
      const texels = ((batch ? stepRows : rows) * cols) / 4;
      const [lines, rest] = [Math.floor(texels / LINE), texels % LINE];
      const offset = t.src.offset ?? 0;
      if (lines > 0) encoder.copyBufferToTexture({ buffer: t.src.buffer, offset, bytesPerRow: LINE * 16 }, { texture: t.texels }, [LINE, lines]);
      if (rest > 0) encoder.copyBufferToTexture({ buffer: t.src.buffer, offset: offset + lines * LINE * 16 }, { texture: t.texels, origin: [0, lines] }, [rest, 1]);
    },
  };
}
