// Validation of every option: each bad value names the argument and what is accepted.
import { expect, test } from 'vitest';
import { ArgumentError, DatasetError } from '../errors';
import { resolveMLPOptions } from './architecture';
import { augmentationOf, checkDataset, resolveFitOptions, splitForFit } from './config';

test('defaults', () => {
  expect(resolveMLPOptions({ layers: [784, 32, 10] }).spec).toEqual({
    input: [784, 1, 1],
    layers: [{ type: 'dense', units: 32, activation: { name: 'relu', alpha: 0 } }, { type: 'dense', units: 10, activation: { name: 'identity', alpha: 0 } }],
    loss: 'cross-entropy', init: 'xavier', seed: 0,
  });
  const fit = resolveFitOptions({}, 9);
  expect(fit).toMatchObject({ epochs: 1, batchSize: 64, learningRate: 0.1, optimizer: 'sgd', momentum: 0, l2: 0, shuffle: true, seed: 9 });
});

test('activation parameters', () => {
  const hidden = (options: object) => resolveMLPOptions({ layers: [2, 3, 2], ...options }).spec.layers[0].activation;
  expect(hidden({ activation: 'leaky_relu' })).toEqual({ name: 'leaky_relu', alpha: 0.01 });
  expect(hidden({ activation: { name: 'elu', alpha: 0.5 } })).toEqual({ name: 'elu', alpha: 0.5 });
  expect(() => resolveMLPOptions({ layers: [2, 2], activation: { name: 'elu', alpha: -1 } })).toThrow(/activation\.alpha is -1; expected a finite number > 0/);
  expect(() => resolveMLPOptions({ layers: [2, 2], activation: { name: 'leaky_relu', slope: NaN } })).toThrow(/activation\.slope is NaN/);
});

test.each([
  [{ layers: [784] }, 'layers'],
  [{ layers: 'abc' }, 'layers'],
  [{ layers: [784, -3, 10] }, 'layers[1]'],
  [{ layers: [784, 32, 1.5] }, 'layers[2]'],
  [{ layers: [784, 300] }, 'layers[1]'],
  [{ layers: [4, 2], activation: 'gelu' }, 'activation'],
  [{ layers: [4, 2], loss: 'l1' }, 'loss'],
  [{ layers: [4, 2], init: 'zeros' }, 'init'],
  [{ layers: [4, 2], seed: -1 }, 'seed'],
])('createMLP(%j) names %s', (options, argument) => {
  try {
    resolveMLPOptions(options as never);
    expect.unreachable('should throw');
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).argument).toBe(argument);
  }
});

test.each([
  [{ epochs: 0 }, 'epochs'],
  [{ batchSize: 2.5 }, 'batchSize'],
  [{ learningRate: Infinity }, 'learningRate'],
  [{ learningRate: -1 }, 'learningRate'],
  [{ optimizer: 'lbfgs' }, 'optimizer'],
  [{ momentum: 1 }, 'momentum'],
  [{ l2: -0.1 }, 'l2'],
  [{ shuffle: 'yes' }, 'shuffle'],
  [{ onEpoch: 5 }, 'onEpoch'],
  [{ beta2: 1 }, 'beta2'],
  [{ stepsPerSubmit: 65 }, 'stepsPerSubmit'],
  [{ validationSplit: 1 }, 'validationSplit'],
  [{ augment: { shift: 9 } }, 'augment.shift'],
  [{ lrSchedule: 'step' }, 'lrSchedule'],
])('fit(%j) names %s', (options, argument) => {
  expect(() => resolveFitOptions(options as never, 0)).toThrow(ArgumentError);
  try {
    resolveFitOptions(options as never, 0);
  } catch (error) {
    expect((error as ArgumentError).argument).toBe(argument);
  }
});

test('datasets: lengths, labels, features and non-finite pixels', () => {
  const ok = { images: new Uint8Array(6), labels: Uint8Array.from([0, 1, 2]), count: 3, features: 2 };
  expect(() => checkDataset('train', ok, [2, 1, 1], 3)).not.toThrow();
  const cases: [object, RegExp][] = [
    [{ ...ok, count: 0 }, /train\.count: is 0/],
    [{ ...ok, features: 3 }, /train\.features: is 3; the model's first layer takes 2/],
    [{ ...ok, images: new Uint8Array(5) }, /train\.images: has 5 values; count × features is 3 × 2 = 6/],
    [{ ...ok, images: [0, 0, 0, 0, 0, 0] }, /train\.images: expected a Uint8Array or Float32Array/],
    [{ ...ok, labels: Uint8Array.from([0, 1]) }, /train\.labels: has 2 entries; count is 3/],
    [{ ...ok, labels: Uint8Array.from([0, 3, 1]) }, /train\.labels\[1\]: is 3; expected a class in \[0, 3\)/],
    [{ ...ok, images: Float32Array.from([0, 0, NaN, 0, 0, 0]) }, /train\.images\[2\]: is NaN; pixel values must be finite/],
  ];
  for (const [dataset, message] of cases) {
    expect(() => checkDataset('train', dataset as never, [2, 1, 1], 3)).toThrow(DatasetError);
    expect(() => checkDataset('train', dataset as never, [2, 1, 1], 3)).toThrow(message);
  }
});

test('datasets for a model on images: features name the input shape; imageShape must match it', () => {
  const images = { images: new Uint8Array(2 * 12), labels: Uint8Array.from([0, 1]), count: 2, features: 12 };
  expect(() => checkDataset('train', { ...images, imageShape: [2, 2] }, [3, 2, 2], 2)).not.toThrow();
  expect(() => checkDataset('train', images, [1, 3, 5], 2)).toThrow(/train\.features: is 12; the model's first layer takes 15 \(1 × 3 × 5\)/);
  expect(() => checkDataset('train', { ...images, imageShape: [4, 3] }, [1, 3, 4], 2)).toThrow(/train\.imageShape: is \[4, 3\]; the model's input is 1 × 3 × 4/);
  expect(() => checkDataset('train', { ...images, imageShape: [5, 5] }, [12, 1, 1], 2)).toThrow(/rows × cols must divide features \(12\)/);
});

test('a fit holds out the last validationSplit of its data; the default batch shrinks to the rest, a given one must fit', () => {
  const dataset = { images: Uint8Array.from({ length: 10 * 2 }, (_, i) => i), labels: Uint8Array.from({ length: 10 }, (_, i) => i % 3), count: 10, features: 2 };
  const split = (options: object) => splitForFit(dataset, options, resolveFitOptions(options, 0));
  const { train, validation, batchSize } = split({ validationSplit: 0.25 }); // 2 of 10 held out: floor(2.5)
  expect([train.count, validation?.count, batchSize]).toEqual([8, 2, 8]);
  expect([...train.labels]).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
  expect([...validation!.images]).toEqual([16, 17, 18, 19]);
  expect(split({ validationSplit: 0.05 })).toMatchObject({ train: dataset, validation: undefined, batchSize: 10 }); // floor(0.5): none held
  const given = { ...dataset, count: 3 };
  expect(split({ validation: given, batchSize: 4 })).toMatchObject({ train: dataset, validation: given, batchSize: 4 });
  expect(() => split({ validationSplit: 0.2, batchSize: 9 })).toThrow(/batchSize is 9; expected at most the 8 training samples/);
  expect(() => split({ validationSplit: 0.2, batchSize: 9 })).toThrow(ArgumentError);
  expect(split({ validationSplit: 0.99 })).toMatchObject({ train: { count: 1 }, validation: { count: 9 }, batchSize: 1 });
});

test('augmentation takes its image size from the model input, else from the dataset', () => {
  const augment = { maxShift: 2, maxAngle: 0.1 };
  const flat = { images: new Uint8Array(12), labels: new Uint8Array(1), count: 1, features: 12 };
  expect(augmentationOf([1, 3, 4], flat, augment)).toEqual({ width: 4, height: 3, ...augment });
  expect(augmentationOf([12, 1, 1], { ...flat, imageShape: [2, 6] }, augment)).toEqual({ width: 6, height: 2, ...augment });
  expect(() => augmentationOf([12, 1, 1], flat, augment)).toThrow(/augment is .*; expected a model whose input is C × H × W, or a dataset with imageShape/);
});
