// Fuzzing the loaders: thousands of seeded random mutations of valid IDX files (plain and gzipped) and
// model files. Each must load (consistently) or throw one of our typed errors: never a RangeError,
// TypeError or SyntaxError, never a hang (the test's timeout), never a dataset that lies about its size.
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { WebGPUNNError } from '../errors';
import { Random } from '../random';
import { resolveMLPOptions } from '../model/architecture';
import { decodeModel, encodeModel } from '../model/model_file';
import { encodeIdxImages, encodeIdxLabels } from './idx';
import { loadIdx } from './load';

const MUTATIONS = 2000;

/** One random change to `bytes`, and its description for a failure message. */
function mutate(bytes: Uint8Array, random: Random): [Uint8Array, string] {
  const at = (n = bytes.length) => Math.floor(random.uniform() * n);
  const copy = bytes.slice();
  switch (at(7)) {
    case 0: { // flip 1-8 bits
      const flips = 1 + at(8);
      for (let i = 0; i < flips; i++) copy[at()] ^= 1 << at(8);
      return [copy, `${flips} bit flips`];
    }
    case 1: { // truncate
      const length = at();
      return [bytes.slice(0, length), `truncated to ${length}`];
    }
    case 2: { // append junk
      const extra = Uint8Array.from({ length: 1 + at(64) }, () => at(256));
      const grown = new Uint8Array(bytes.length + extra.length);
      grown.set(bytes);
      grown.set(extra, bytes.length);
      return [grown, `${extra.length} bytes appended`];
    }
    case 3: { // a 32-bit field, big- or little-endian, set to an extreme (IDX counts, safetensors header length)
      const offset = at(Math.min(bytes.length - 4, 24));
      const value = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, at(2 ** 32)][at(6)];
      new DataView(copy.buffer).setUint32(offset, value, random.uniform() < 0.5);
      return [copy, `u32 at ${offset} = ${value}`];
    }
    case 4: { // overwrite a run with one byte
      const start = at();
      const value = [0, 255, 0x22, 0x7b, 0x7d][at(5)]; // 0x22 ", 0x7b {, 0x7d }
      copy.fill(value, start, start + 1 + at(16));
      return [copy, `run of ${value} at ${start}`];
    }
    case 5: { // change one digit in the text (safetensors JSON: shapes and offsets)
      const digits = [...copy.keys()].filter((i) => copy[i] >= 0x30 && copy[i] <= 0x39);
      if (digits.length === 0) return [copy, 'no digit to change'];
      const i = digits[at(digits.length)];
      copy[i] = 0x30 + at(10);
      return [copy, `digit at ${i} -> ${copy[i] - 0x30}`];
    }
    default: { // cut out a slice
      const start = at();
      const end = start + 1 + at(32);
      const cut = new Uint8Array([...bytes.subarray(0, start), ...bytes.subarray(end)]);
      return [cut, `bytes ${start}..${end} removed`];
    }
  }
}

/**
 * Tries MUTATIONS mutated files: `mutation(i)` describes the i-th and loads it, checking what it loaded; each
 * must load or throw one of our typed errors. Returns how many did which.
 */
async function fuzz(mutation: (i: number) => { what: string; load: () => unknown }): Promise<{ loaded: number; typed: number }> {
  const outcomes = { loaded: 0, typed: 0 };
  for (let i = 0; i < MUTATIONS; i++) {
    const { what, load } = mutation(i);
    try {
      await load();
      outcomes.loaded++;
    } catch (error) {
      expectTyped(error, what);
      outcomes.typed++;
    }
  }
  return outcomes;
}

/** Fails unless `error` is one of ours. */
function expectTyped(error: unknown, what: string): void {
  if (!(error instanceof WebGPUNNError)) {
    throw new Error(`${what}: threw ${(error as Error)?.name}: ${(error as Error)?.message}, not a WebGPUNNError`);
  }
}

test(`${MUTATIONS} mutated IDX file pairs (a quarter gzipped): a consistent dataset or a DataFormatError`, async () => {
  const random = new Random(2026);
  const images = encodeIdxImages(Uint8Array.from({ length: 5 * 6 * 7 }, (_, i) => i), 5, 6, 7);
  const labels = encodeIdxLabels(Uint8Array.from([1, 2, 3, 4, 5]));
  const outcomes = await fuzz((i) => {
    const gzip = i % 4 === 3;
    const [which, original] = i % 2 ? ['labels', labels] as const : ['images', images] as const;
    const [mutated, how] = mutate(gzip ? new Uint8Array(gzipSync(original)) : original, random);
    const what = `mutation ${i} of ${gzip ? 'gzipped ' : ''}${which} (${how})`;
    return {
      what,
      load: async () => {
        const d = await loadIdx(which === 'images' ? mutated : images, which === 'labels' ? mutated : labels);
        expect(d.images.length, what).toBe(d.count * d.features);
        expect(d.labels.length, what).toBe(d.count);
      },
    };
  });
  console.log(`IDX fuzz: ${outcomes.loaded} loaded, ${outcomes.typed} DataFormatErrors, 0 other errors`);
  expect(outcomes.typed).toBeGreaterThan(MUTATIONS / 2);
}, 60_000);

test(`${MUTATIONS} mutated model files: a model whose tensors fit its layers, or a ModelFormatError`, async () => {
  const random = new Random(7);
  const { spec, layers } = resolveMLPOptions({ layers: [6, 4, 3], seed: 1 });
  const values = {
    'layers.0.weight': Float32Array.from({ length: 24 }, (_, i) => i / 10), 'layers.0.bias': new Float32Array(4).fill(0.5),
    'layers.1.weight': Float32Array.from({ length: 12 }, (_, i) => -i), 'layers.1.bias': new Float32Array(3).fill(-0.5),
  };
  const file = encodeModel(spec, layers, values, { epochs: 2 });
  const outcomes = await fuzz((i) => {
    const [mutated, how] = mutate(file, random);
    const what = `mutation ${i} (${how})`;
    return {
      what,
      load: () => {
        const { architecture, values: v } = decodeModel('model', mutated);
        for (const layer of architecture.layers) {
          for (const t of layer.tensors) expect(v[`layers.${layer.index}.${t.name}`].length, what).toBe(t.shape.reduce((a, b) => a * b));
        }
      },
    };
  });
  console.log(`model fuzz: ${outcomes.loaded} loaded, ${outcomes.typed} ModelFormatErrors, 0 other errors`);
  expect(outcomes.typed).toBeGreaterThan(MUTATIONS / 2);
}, 60_000);
