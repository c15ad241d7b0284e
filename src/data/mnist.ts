// The standard MNIST file layout: four IDX files in one folder, and loading its train/test pair.

import type { Dataset } from '../model/config';
import { loadIdx } from './load';

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Loads the train and test sets from the folder URL `base` (ending in '/'); `suffix` is e.g. '.gz'. */
export async function loadMnist(base: string, suffix = ''): Promise<{ train: Dataset; test: Dataset }> {
  const url = (name: string) => `${base}${name}${suffix}`;
  const [train, test] = await Promise.all([
    loadIdx(url(MNIST_FILES.trainImages), url(MNIST_FILES.trainLabels)),
    loadIdx(url(MNIST_FILES.testImages), url(MNIST_FILES.testLabels)),
  ]);
  return { train, test };
}
