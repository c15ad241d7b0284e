// createModel's options: shapes and parameters of each layer (hand-checked against PyTorch's and TensorFlow's
// rules), createMLP as a stack of dense layers, and an ArgumentError naming the layer and field for each bad list.
import { expect, test } from 'vitest';
import { ArgumentError } from '../errors';
import { Conv2dLayer } from '../layers/conv2d';
import { type ModelOptions, modelOptions, resolveMLPOptions, resolveModelOptions } from './architecture';

const CNN: ModelOptions = {
  input: [1, 28, 28],
  layers: [
    { type: 'conv2d', filters: 24, kernelSize: 5 },
    { type: 'maxPool2d', size: 2 },
    { type: 'activation', activation: 'relu' },
    { type: 'conv2d', filters: 32, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu' },
    { type: 'avgPool2d', size: 2, stride: 2 },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.25 },
    { type: 'dense', units: 128, activation: 'relu' },
    { type: 'dense', units: 10 },
  ],
  loss: 'cross-entropy', init: 'he', seed: 1,
};

test('the issue\'s example: every layer\'s output shape and parameters', () => {
  const { spec, layers } = resolveModelOptions(CNN);
  expect(layers.map((l) => [l.output.channels, l.output.height, l.output.width])).toEqual([
    [24, 24, 24], [24, 12, 12], [24, 12, 12], [32, 12, 12], [32, 6, 6], [1152, 1, 1], [1152, 1, 1], [128, 1, 1], [10, 1, 1],
  ]);
  expect(layers.filter((l) => l.tensors.length > 0).map((l) => [l.index, ...l.tensors.map((t) => t.shape)])).toEqual([
    [0, [24, 1, 5, 5], [24]], [3, [32, 24, 3, 3], [32]], [7, [128, 1152], [128]], [8, [10, 128], [10]],
  ]);
  expect(spec.layers[0]).toEqual({ type: 'conv2d', filters: 24, kernelSize: [5, 5], stride: [1, 1], padding: 'valid', activation: { name: 'identity', alpha: 0 } });
  expect(spec.layers[1]).toEqual({ type: 'maxPool2d', size: [2, 2], stride: [2, 2], activation: { name: 'identity', alpha: 0 } });
  expect(resolveModelOptions(modelOptions(spec)).spec).toEqual(spec); // what a model file stores makes the same model
});

test('batch norm owns γ (weight), β (bias) and running statistics, per channel after a conv and per feature on a flat input', () => {
  const { spec, layers } = resolveModelOptions({ input: [2, 6, 6], layers: [
    { type: 'conv2d', filters: 5, kernelSize: 3 }, { type: 'batchNorm', activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 7 },
    { type: 'batchNorm', momentum: 0.2, epsilon: 1e-3 }, dense10 as never,
  ] });
  const owned = (l: number) => layers[l].tensors.map((t) => [t.name, t.shape, t.init, t.trained, t.decayed, t.saved]);
  expect(owned(1)).toEqual([
    ['weight', [5], { fill: 1 }, true, false, true], ['bias', [5], { fill: 0 }, true, false, true],
    ['running_mean', [5], { fill: 0 }, false, false, true], ['running_var', [5], { fill: 1 }, false, false, true],
  ]);
  expect(owned(4).map((t) => t[1])).toEqual([[7], [7], [7], [7]]);
  expect(layers[1].output).toEqual(layers[1].input);
  expect(spec.layers[1]).toEqual({ type: 'batchNorm', momentum: 0.1, epsilon: 1e-5, activation: { name: 'relu', alpha: 0 } });
  expect(spec.layers[4]).toMatchObject({ momentum: 0.2, epsilon: 1e-3 });
  expect(resolveModelOptions(modelOptions(spec)).spec).toEqual(spec);
});

test.each([
  // input, kernel, stride, padding -> output, [top, left, bottom, right] (TensorFlow's 'SAME': the odd zero at the end)
  [[1, 28, 28], 5, 1, 'same', [28, 28], [2, 2, 2, 2]],
  [[1, 28, 28], 4, 1, 'same', [28, 28], [1, 1, 2, 2]],
  [[1, 28, 28], 5, 2, 'same', [14, 14], [1, 1, 2, 2]],
  [[1, 7, 9], [3, 2], [2, 3], 'same', [4, 3], [1, 0, 1, 0]],
  [[1, 5, 5], 3, 2, 'valid', [2, 2], [0, 0, 0, 0]],
  [[1, 5, 6], 3, [2, 1], [1, 2], [3, 8], [1, 2, 1, 2]],
  [[1, 3, 3], 5, 1, 2, [3, 3], [2, 2, 2, 2]],
] as const)('conv2d on %j, kernel %j, stride %j, padding %j: output %j, zeros %j', (input, kernelSize, stride, padding, out, pads) => {
  const { layers } = resolveModelOptions({
    input: [...input] as [number, number, number],
    layers: [{ type: 'conv2d', filters: 2, kernelSize: kernelSize as never, stride: stride as never, padding: padding as never }, { type: 'flatten' }, { type: 'dense', units: 3 }],
  });
  const conv = layers[0] as Conv2dLayer;
  expect([conv.output.height, conv.output.width]).toEqual(out);
  expect(conv.pads).toEqual(pads);
});

test('pooling windows that do not tile the input leave the last rows and columns out', () => {
  const { layers } = resolveModelOptions({ input: [3, 7, 5], layers: [{ type: 'maxPool2d', size: [3, 2], stride: [2, 2] }, { type: 'flatten' }, { type: 'dense', units: 2 }] });
  expect([layers[0].output.height, layers[0].output.width]).toEqual([3, 2]);
});

test('createMLP makes the createModel of dense layers', () => {
  const mlp = resolveMLPOptions({ layers: [784, 32, 10], activation: 'tanh', init: 'he', seed: 3 }).spec;
  const model = resolveModelOptions({ input: [784, 1, 1], layers: [{ type: 'dense', units: 32, activation: 'tanh' }, { type: 'dense', units: 10 }], init: 'he', seed: 3 }).spec;
  expect(mlp).toEqual(model);
});

const dense10 = { type: 'dense', units: 10 };
const on = (layers: unknown[], input: unknown = [1, 8, 8]) => ({ input, layers }) as ModelOptions;

test.each([
  [on([dense10], [1, 28]), 'input', /input is \[1, 28\]; expected \[channels, height, width\]: three positive integers/],
  [on([dense10], [1, 0, 8]), 'input', /three positive integers/],
  [on([]), 'layers', /layers is \[\]; expected a non-empty array of layers/],
  [on([{ type: 'conv3d' }, dense10]), 'layers[0].type', /layers\[0\]\.type is "conv3d"; expected one of 'conv2d', 'maxPool2d', 'avgPool2d', 'dense', 'dropout', 'flatten', 'activation', 'batchNorm'/],
  [on([{ type: 'batchNorm', momentum: 0 }, { type: 'flatten' }, dense10]), 'layers[0].momentum', /layers\[0\]\.momentum is 0; expected a number in \(0, 1\]/],
  [on([{ type: 'batchNorm', momentum: 1.5 }, { type: 'flatten' }, dense10]), 'layers[0].momentum', /momentum is 1\.5; expected a number in \(0, 1\]/],
  [on([{ type: 'flatten' }, { type: 'batchNorm', epsilon: 0 }, dense10]), 'layers[1].epsilon', /layers\[1\]\.epsilon is 0; expected a number > 0/],
  [on([{ type: 'batchNorm', epsilon: 'small' }, { type: 'flatten' }, dense10]), 'layers[0].epsilon', /epsilon is "small"; expected a number > 0/],
  [on([{ type: 'batchNorm', momentun: 0.2 }, { type: 'flatten' }, dense10]), 'layers[0].momentun', /layers\[0\]\.momentun is 0\.2; expected no such field: a batchNorm layer takes type, momentum, epsilon, activation/],
  [on([5, dense10]), 'layers[0]', /layers\[0\] is 5; expected an object/],
  [on([{ type: 'conv2d', kernelSize: 3 }, { type: 'flatten' }, dense10]), 'layers[0].filters', /layers\[0\]\.filters is undefined; expected a positive integer/],
  [on([{ type: 'conv2d', filters: 0, kernelSize: 3 }, { type: 'flatten' }, dense10]), 'layers[0].filters', /is 0/],
  [on([{ type: 'conv2d', filters: 4 }, { type: 'flatten' }, dense10]), 'layers[0].kernelSize', /layers\[0\]\.kernelSize is undefined; expected a positive integer or \[height, width\]/],
  [on([{ type: 'conv2d', filters: 4, kernelSize: [3, -1] }, { type: 'flatten' }, dense10]), 'layers[0].kernelSize', /is \[3, -1\]/],
  [on([{ type: 'conv2d', filters: 4, kernelSize: 3, stride: 0 }, { type: 'flatten' }, dense10]), 'layers[0].stride', /layers\[0\]\.stride is 0/],
  [on([{ type: 'conv2d', filters: 4, kernelSize: 3, padding: 'full' }, { type: 'flatten' }, dense10]), 'layers[0].padding', /'valid', 'same', a whole number/],
  [on([{ type: 'conv2d', filters: 4, kernelSize: 9 }, { type: 'flatten' }, dense10]), 'layers[0].kernelSize', /kernelSize is 9; expected at most the padded input's 8 × 8 \(input 1 × 8 × 8, padding "valid"\)/],
  [on([{ type: 'conv2d', filters: 4, kernelSize: 11, padding: 1 }, { type: 'flatten' }, dense10]), 'layers[0].kernelSize', /at most the padded input's 10 × 10/],
  [on([{ type: 'maxPool2d', size: [2, 9] }, { type: 'flatten' }, dense10]), 'layers[0].size', /size is \[2, 9\]; expected at most the input's 8 × 8/],
  [on([{ type: 'avgPool2d' }, { type: 'flatten' }, dense10]), 'layers[0].size', /size is undefined/],
  [on([{ type: 'maxPool2d', size: 2, stride: 1.5 }, { type: 'flatten' }, dense10]), 'layers[0].stride', /stride is 1\.5/],
  [on([{ type: 'flatten' }, { type: 'dropout', rate: 1 }, dense10]), 'layers[1].rate', /layers\[1\]\.rate is 1; expected a number in \[0, 1\)/],
  [on([{ type: 'flatten' }, { type: 'dropout', rate: -0.1 }, dense10]), 'layers[1].rate', /rate is -0\.1/],
  [on([{ type: 'flatten' }, { type: 'dropout' }, dense10]), 'layers[1].rate', /rate is undefined/],
  [on([{ type: 'flatten' }, { type: 'conv2d', filters: 2, kernelSize: 1 }, dense10]), 'layers[1].type', /layers\[1\]\.type is "conv2d"; expected a layer that takes a flat input .*was flattened/],
  [on([{ type: 'flatten' }, { type: 'maxPool2d', size: 1 }, dense10]), 'layers[1].type', /type is "maxPool2d"; expected a layer that takes a flat input/],
  [on([{ type: 'conv2d', filters: 2, kernelSize: 3 }, dense10]), 'layers[1].type', /layers\[1\]\.type is "dense"; expected a layer that takes a 2 × 6 × 6 input: a dense layer takes a flat one, so put \{ type: 'flatten' \} before it/],
  [on([dense10]), 'layers[0].type', /takes a 1 × 8 × 8 input/],
  [on([{ type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'dropout', rate: 0.5 }]), 'layers[2].type', /layers\[2\]\.type is "dropout"; expected 'dense': the last layer gives the class scores the loss takes/],
  [on([{ type: 'flatten' }, { type: 'dense', units: 4, activation: 'relu' }]), 'layers[1].activation', /layers\[1\]\.activation is "relu"; expected 'identity': the last layer is linear/],
  [on([{ type: 'flatten' }, { type: 'dense', units: 300 }]), 'layers[1].units', /units is 300; expected at most 256 classes/],
  [on([{ type: 'flatten' }, { type: 'dense', units: 2.5 }]), 'layers[1].units', /units is 2\.5; expected a positive integer/],
  [on([{ type: 'flatten' }, { type: 'dense', unit: 10 }]), 'layers[1].unit', /layers\[1\]\.unit is 10; expected no such field: a dense layer takes type, units, activation/],
  [on([{ type: 'activation', activation: 'gelu' }, { type: 'flatten' }, dense10]), 'layers[0].activation', /activation is "gelu"; expected one of 'identity', 'relu'/],
  [on([{ type: 'activation', activation: { name: 'elu', alpha: -1 } }, { type: 'flatten' }, dense10]), 'layers[0].activation.alpha', /alpha is -1/],
  [{ ...on([{ type: 'flatten' }, dense10]), loss: 'hinge' }, 'loss', /loss is "hinge"/],
  [{ ...on([{ type: 'flatten' }, dense10]), seed: -1 }, 'seed', /seed is -1/],
  [{ ...on([{ type: 'flatten' }, dense10]), activation: 'relu' }, 'activation', /activation is "relu"; expected no such option: a model takes input, layers, loss, init, seed/],
])('%j: ArgumentError naming %s', (options, argument, message) => {
  try {
    resolveModelOptions(options as ModelOptions);
    expect.unreachable('should throw');
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).argument).toBe(argument);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).name).toBe('ArgumentError');
  }
});
