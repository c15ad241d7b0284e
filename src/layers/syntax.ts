// The short layer syntax of `npm run train -- --layers` and the demo's Custom model: an MLP's widths, input
// first (784,512,10), or a list of layers on the data's images, comma-separated, one token each (see
// LAYER_SYNTAX). Each mistake is a LayerSyntaxError naming the layer (counted from 1), its token and what was
// expected.

import { LayerSyntaxError } from '../errors';
import type { LayerOptions } from './index';
import type { ActivationOption } from './options';

export const LAYER_SYNTAX = `  784,512,10              an MLP: layer widths, input first
  or layers, comma-separated, on the data's images:
  conv5x5x24              convolution: kernel height x width x filters; stride 1, no padding
    conv3x3x32/2+same     /S stride; +same (output ceil(in / S)), +pad1 or +pad1x2 zeros on each side
  maxpool2, avgpool2      pooling windows (maxpool2x3: height x width); /S stride, default the window
  dense128                a dense layer of 128 units
  dropout0.25             dropout at rate 0.25 while training
  flatten                 (channel, row, column) values to one vector
  relu, tanh, sigmoid, elu, leaky_relu, identity   an activation on its own
  +relu                   after any layer: its activation, e.g. dense128+relu
  e.g. conv5x5x24,maxpool2,relu,conv3x3x32,maxpool2,relu,flatten,dense128+relu,dense10`;

/**
 * jax-js's MNIST ConvNet with dropout before its last layer: `npm run train -- --preset cnn` and the demo's
 * ConvNet. Measured at 98.9-99.2% on the bundled test digits after 20 epochs (see the README).
 */
export const MNIST_CONVNET = 'conv5x5x24,maxpool2,relu,conv3x3x32,maxpool2,relu,flatten,dense128+relu,dropout0.3,dense10';

const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'leaky_relu', 'identity'];

/** An MLP's widths, or a list of layers. */
export function parseLayers(text: string): number[] | LayerOptions[] {
  const tokens = text.split(',').map((token) => token.trim());
  const numbers = tokens.filter((token) => /^\d+$/.test(token)).length;
  if (numbers === tokens.length) {
    const widths = tokens.map(Number);
    if (widths.length < 2 || widths.some((w) => w < 1)) throw new LayerSyntaxError(0, text, 'at least two positive widths, e.g. 784,512,10');
    return widths;
  }
  if (numbers > 0) throw new LayerSyntaxError(0, text, 'widths (784,512,10) or layers (conv5x5x24,...,dense10), not both');
  return tokens.map((token, i) => parseLayer(token, i + 1));
}

function parseLayer(token: string, at: number): LayerOptions {
  const fail = (expected: string): never => {
    throw new LayerSyntaxError(at, token, expected);
  };
  const [head, ...options] = token.split('+');
  const match = /^([a-z_]+)([\d.x]*)(?:\/(\d+(?:x\d+)?))?$/.exec(head);
  if (!match) return fail('a layer such as conv5x5x24, maxpool2, dense128, dropout0.25, flatten or relu (see the layer syntax)');
  const [, name, size, stride] = match;
  const numbers = size === '' ? [] : size.split('x').map(Number);
  const pair = (values: number[]): number | [number, number] => (values.length === 1 ? values[0] : [values[0], values[1]]);
  const whole = (values: number[], counts: number[]) => counts.includes(values.length) && values.every((v) => Number.isInteger(v) && v > 0);
  const strided = stride ? { stride: pair(stride.split('x').map(Number)) } : {};
  let layer: LayerOptions;
  if (name === 'conv') {
    if (!whole(numbers, [3])) fail('conv<KH>x<KW>x<FILTERS>, e.g. conv5x5x24');
    const filters = numbers[numbers.length - 1];
    layer = { type: 'conv2d', filters, kernelSize: pair(numbers.slice(0, -1)), ...strided };
  } else if (name === 'maxpool' || name === 'avgpool') {
    if (!whole(numbers, [1, 2])) fail(`${name}<SIZE> or ${name}<H>x<W>, optionally /<STRIDE>, e.g. ${name}2`);
    layer = { type: name === 'maxpool' ? 'maxPool2d' : 'avgPool2d', size: pair(numbers), ...strided };
  } else if (stride) {
    return fail(`no /${stride}: only conv and pooling layers take a stride`);
  } else if (name === 'dense') {
    if (!whole(numbers, [1])) fail('dense<UNITS>, e.g. dense128');
    layer = { type: 'dense', units: numbers[0] };
  } else if (name === 'dropout') {
    const rate = Number(size);
    if (size === '' || !(rate >= 0 && rate < 1)) fail('dropout<RATE> with a rate in [0, 1), e.g. dropout0.25');
    layer = { type: 'dropout', rate };
  } else if (name === 'flatten' || ACTIVATIONS.includes(name)) {
    if (size !== '') fail(`${name} without a number`);
    layer = name === 'flatten' ? { type: 'flatten' } : { type: 'activation', activation: name as ActivationOption };
  } else {
    return fail(`a layer: conv, maxpool, avgpool, dense, dropout, flatten, or an activation (${ACTIVATIONS.join(', ')}); not ${name}`);
  }
  for (const option of options) {
    const pad = /^pad(\d+)(?:x(\d+))?$/.exec(option);
    if (ACTIVATIONS.includes(option)) {
      if (layer.type === 'activation') fail(`no +${option}: an activation layer is its own activation`);
      layer = { ...layer, activation: option as ActivationOption };
    } else if (option === 'same' || option === 'valid' || pad) {
      if (layer.type !== 'conv2d') return fail(`no +${option}: only conv layers take padding`);
      layer = { ...layer, padding: pad ? (pad[2] ? [Number(pad[1]), Number(pad[2])] : Number(pad[1])) : (option as 'same' | 'valid') };
    } else {
      fail(`an option +same, +valid, +pad<N>, +pad<H>x<W> or an activation (+relu, ...); not +${option}`);
    }
  }
  return layer;
}
