// The dataset the page trains on: the bundled MNIST files, or IDX files the person drops or picks.
// Test data comes from the t10k pair when given, else the last 20% of the training files.

import { type Dataset, DataFormatError, loadIdx, loadMnist, sliceDataset } from '../src/index';

export interface Splits {
  name: string;
  train: Dataset;
  test: Dataset;
}

export async function bundledMnist(): Promise<Splits> {
  return { name: 'Bundled MNIST', ...(await loadMnist('./mnist/', '.gz')) };
}

const kind = (file: File) => ({
  test: /t10k|test/i.test(file.name),
  images: /images|idx3/i.test(file.name),
  labels: /labels|idx1/i.test(file.name),
});

export async function ownFiles(files: File[]): Promise<Splits> {
  const find = (test: boolean, images: boolean) => files.find((f) => kind(f).test === test && (images ? kind(f).images : kind(f).labels));
  const [trainImages, trainLabels, testImages, testLabels] = [find(false, true), find(false, false), find(true, true), find(true, false)];
  if (!trainImages || !trainLabels) {
    throw new DataFormatError(files.map((f) => f.name).join(', ') || 'no files', 'names',
      'need a training images file and a labels file (names with "train" and "images"/"idx3", "labels"/"idx1")');
  }
  const train = await loadIdx(trainImages, trainLabels);
  if (testImages && testLabels) {
    return { name: `${trainImages.name} + ${testImages.name}`, train, test: await loadIdx(testImages, testLabels) };
  }
  const cut = Math.floor(train.count * 0.8);
  if (cut < 1 || cut === train.count) throw new DataFormatError(trainImages.name, 'count', `is ${train.count}; too few to hold out a test set`);
  return { name: `${trainImages.name} (last 20% held out for test)`, train: sliceDataset(train, 0, cut), test: sliceDataset(train, cut, train.count) };
}
