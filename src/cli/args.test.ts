import { expect, test } from 'vitest';
import { CliError, CNN_PRESET, DEFAULT, parseArgs, SEED_PRESET } from './args';
import { parseLayers } from '../layers/syntax';
import { LayerSyntaxError } from '../errors';
import { duration, epochLine, perClassTable, progressBar } from './report';

test('defaults, presets and overrides', () => {
  expect(parseArgs([])).toEqual(DEFAULT);
  expect(parseArgs(['--preset', 'seed'])).toEqual(SEED_PRESET);
  expect(parseArgs(['--preset=cnn'])).toEqual(CNN_PRESET);
  expect(parseArgs(['--epochs=5', '--lr', '0.5', '--batch=32'])).toMatchObject({ epochs: 5, lr: 0.5, batch: 32 });
  expect(parseArgs(['--preset', 'cnn', '--epochs', '2'])).toMatchObject({ epochs: 2, init: 'he', layersText: CNN_PRESET.layersText });
  const c = parseArgs(['--layers', '784,256,10', '--optimizer', 'sgd', '--lr', '0.1', '--augment', '3,15', '--out', 'm.safetensors', '--data', '/tmp/d']);
  expect(c).toMatchObject({ layers: [784, 256, 10], optimizer: 'sgd', lr: 0.1, augment: { shift: 3, rotate: 15 }, out: 'm.safetensors', data: '/tmp/d' });
  expect(parseArgs(['--augment', 'off'])?.augment).toBeUndefined();
  expect(parseArgs(['--help'])).toBeUndefined();
});

test.each([
  [['--layers', '784,x,10'], /--layers 784,x,10: expected widths \(784,512,10\) or layers \(conv5x5x24,...,dense10\), not both/],
  [['--layers', '784'], /at least two positive widths/],
  [['--lr', '-1'], /--lr -1: expected a positive number/],
  [['--epochs', '2.5'], /--epochs 2\.5/],
  [['--optimizer', 'rmsprop'], /--optimizer rmsprop: expected sgd or adam/],
  [['--augment', '9'], /--augment 9/],
  [['--preset', 'fast'], /--preset fast/],
  [['--bogus', '1'], /unknown option --bogus/],
  [['--epochs'], /--epochs needs a value/],
  [['--epochs', '--lr', '1'], /--epochs needs a value/],
  [['epochs', '3'], /unexpected argument epochs/],
  [['--lr=-1'], /--lr -1: expected a positive number/],
  [['--epochs='], /--epochs : expected a positive integer/],
  [['--bogus=1'], /unknown option --bogus/],
  [['--preset', 'cnn', '--activation', 'tanh'], /--activation tanh: sets an MLP's hidden layers .* put \+tanh on a layer/],
  [['--init', 'zeros'], /--init zeros: expected xavier or he/],
  [['--layers', 'conv5x5x24,maxpool2,dense10+softmax'], /--layers: layer 3, 'dense10\+softmax': expected an option \+same, \+valid/],
])('%j is a CliError', (argv, message) => {
  expect(() => parseArgs(argv)).toThrow(CliError);
  expect(() => parseArgs(argv)).toThrow(message);
});

test('report formatting', () => {
  expect(duration(59.6)).toBe('1:00');
  expect(duration(3725)).toBe('1:02:05');
  expect(progressBar(2, 5, 15, 30, 0.5, 10)).toBe('epoch 2/5 [#####.....] 15/30 loss 0.5000');
  expect(epochLine({ epoch: 3, epochs: 30, loss: 0.1, accuracy: 0.9712, validation: 0.98, samplesPerSecond: 1234.4, elapsed: 20, remaining: 200 }))
    .toBe('epoch  3/30  loss 0.1000  train 97.12%  val 98.00%  1,234 samples/s  elapsed 0:20  remaining 3:20');
  expect(perClassTable([9, 0], [10, 0]).split('\n')).toEqual(['class  correct/total  accuracy', '    0           9/10    90.00%', '    1            0/0         -']);
});

test('the layer syntax: widths, or layers with sizes, strides, padding and activations', () => {
  expect(parseLayers('784,512,10')).toEqual([784, 512, 10]);
  expect(parseLayers('conv5x5x24,maxpool2,relu,conv3x3x32,maxpool2,relu,flatten,dense128+relu,dense10')).toEqual([
    { type: 'conv2d', filters: 24, kernelSize: [5, 5] }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'relu' },
    { type: 'conv2d', filters: 32, kernelSize: [3, 3] }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'relu' },
    { type: 'flatten' }, { type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 10 },
  ]);
  expect(parseLayers('conv3x3x16/2+same+tanh, avgpool3x2/2x1, dropout0.25, conv1x2x4+pad1x2, conv3x3x8+pad2+valid, leaky_relu, dense10')).toEqual([
    { type: 'conv2d', filters: 16, kernelSize: [3, 3], stride: 2, padding: 'same', activation: 'tanh' },
    { type: 'avgPool2d', size: [3, 2], stride: [2, 1] }, { type: 'dropout', rate: 0.25 },
    { type: 'conv2d', filters: 4, kernelSize: [1, 2], padding: [1, 2] }, { type: 'conv2d', filters: 8, kernelSize: [3, 3], padding: 'valid' },
    { type: 'activation', activation: 'leaky_relu' }, { type: 'dense', units: 10 },
  ]);
  expect(parseLayers('conv5x5x24,batchnorm,relu,maxpool2,flatten,dense64,batchnorm+relu,dense10')).toEqual([
    { type: 'conv2d', filters: 24, kernelSize: [5, 5] }, { type: 'batchNorm' }, { type: 'activation', activation: 'relu' }, { type: 'maxPool2d', size: 2 },
    { type: 'flatten' }, { type: 'dense', units: 64 }, { type: 'batchNorm', activation: 'relu' }, { type: 'dense', units: 10 },
  ]);
});

test.each([
  ['784', /--layers 784: expected at least two positive widths/],
  ['784,0,10', /at least two positive widths/],
  ['conv5x5,dense10', /layer 1, 'conv5x5': expected conv<KH>x<KW>x<FILTERS>, e.g. conv5x5x24/],
  ['conv5,dense10', /layer 1, 'conv5': expected conv<KH>x<KW>x<FILTERS>/],
  ['conv5x5x24x2,dense10', /expected conv<KH>x<KW>x<FILTERS>/],
  ['maxpool,dense10', /layer 1, 'maxpool': expected maxpool<SIZE> or maxpool<H>x<W>, optionally \/<STRIDE>/],
  ['flatten,dense', /layer 2, 'dense': expected dense<UNITS>, e.g. dense128/],
  ['flatten,dropout1,dense10', /layer 2, 'dropout1': expected dropout<RATE> with a rate in \[0, 1\)/],
  ['flatten2,dense10', /layer 1, 'flatten2': expected flatten without a number/],
  ['dense10/2', /expected no \/2: only conv and pooling layers take a stride/],
  ['maxpool2+same,dense10', /expected no \+same: only conv layers take padding/],
  ['relu+tanh,dense10', /expected no \+tanh: an activation layer is its own activation/],
  ['conv3d3,dense10', /layer 1, 'conv3d3': expected a layer such as conv5x5x24/],
  ['lstm64,dense10', /expected a layer: conv, maxpool, avgpool, dense, dropout, flatten, batchnorm, or an activation .*; not lstm/],
  ['conv3x3x8,batchnorm2,flatten,dense10', /layer 2, 'batchnorm2': expected batchnorm without a number/],
  ['batchnorm/2,dense10', /expected no \/2: only conv and pooling layers take a stride/],
  ['batchnorm+same,dense10', /expected no \+same: only conv layers take padding/],
])('--layers %s is a CliError naming the layer', (text, message) => {
  expect(() => parseArgs(['--layers', text])).toThrow(CliError);
  expect(() => parseArgs(['--layers', text])).toThrow(message);
});

test('parseLayers throws LayerSyntaxError with the layer, its token and what was expected', () => {
  const error = (() => {
    try {
      parseLayers('conv5x5x24,maxpool2,dense');
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(LayerSyntaxError);
  expect(error).toMatchObject({ name: 'LayerSyntaxError', layer: 3, token: 'dense', expected: 'dense<UNITS>, e.g. dense128' });
  expect(() => parseLayers('784')).toThrow(expect.objectContaining({ layer: 0, token: '784' }));
});
