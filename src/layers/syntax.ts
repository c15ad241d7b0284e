// The short layer syntax of `npm run train -- --layers` and the demo's Custom model: an MLP's widths, input
// first (784,512,10), or a list of layers on the data's images, comma-separated, one token each. Each layer
// type writes its own tokens (its syntax, beside it in this folder); this file splits a token and asks the type
// whose name it starts with. Each mistake is a LayerSyntaxError naming the layer (counted from 1), its token
// and what was expected.

import { LayerSyntaxError } from '../errors';
import { KINDS, type LayerOptions } from './index';
import type { LayerSyntax } from './layer';
import { ACTIVATIONS, type ActivationOption } from './options';

const SYNTAXES = KINDS.map((kind) => kind.syntax as LayerSyntax<LayerOptions>);

export const LAYER_SYNTAX = `  784,512,10              an MLP: layer widths, input first
  or layers, comma-separated, on the data's images:
${SYNTAXES.map((s) => s.help).join('\n')}
  +relu                   after any layer: its activation, e.g. dense128+relu
  e.g. conv5x5x24,maxpool2,relu,conv3x3x32,maxpool2,relu,flatten,dense128+relu,dense10`;

/**
 * jax-js's MNIST ConvNet with dropout before its last layer: `npm run train -- --preset cnn` and the demo's
 * ConvNet. Measured at 98.9-99.2% on the bundled test digits after 20 epochs (see the README).
 */
export const MNIST_CONVNET = 'conv5x5x24,maxpool2,relu,conv3x3x32,maxpool2,relu,flatten,dense128+relu,dropout0.3,dense10';

/**
 * MNIST_CONVNET with a batch norm after each pool (before its relu, so the convolution and pool still fuse):
 * `npm run train -- --preset cnn`. Measured at 99.15%, 99.25% and 99.25% on the bundled test digits (seeds 1,
 * 2, 3) after 20 epochs, against 98.9-99.2% without (see the README).
 */
export const MNIST_CONVNET_BN = 'conv5x5x24,maxpool2,batchnorm+relu,conv3x3x32,maxpool2,batchnorm+relu,flatten,dense128+relu,dropout0.3,dense10';

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

function parseLayer(text: string, at: number): LayerOptions {
  const fail = (expected: string): never => {
    throw new LayerSyntaxError(at, text, expected);
  };
  const [head, ...options] = text.split('+');
  const match = /^([a-z_]+)([\d.x]*)(?:\/(\d+(?:x\d+)?))?$/.exec(head);
  if (!match) return fail('a layer such as conv5x5x24, maxpool2, dense128, dropout0.25, flatten or relu (see the layer syntax)');
  const [, name, size, stride] = match;
  const syntax = SYNTAXES.find((s) => s.names.includes(name));
  if (!syntax) {
    const names = SYNTAXES.filter((s) => s.activates !== false).flatMap((s) => s.names);
    return fail(`a layer: ${names.join(', ')}, or an activation (${ACTIVATIONS.join(', ')}); not ${name}`);
  }
  if (stride && !syntax.strided) return fail(`no /${stride}: only conv and pooling layers take a stride`);
  let layer = syntax.parse({ name, size, stride }, fail);
  for (const option of options) {
    if (ACTIVATIONS.includes(option as never)) {
      if (syntax.activates === false) fail(`no +${option}: an activation layer is its own activation`);
      layer = { ...layer, activation: option as ActivationOption };
      continue;
    }
    const own = syntax.option?.(layer, option, fail);
    if (own) {
      layer = own;
      continue;
    }
    const other = SYNTAXES.find((s) => s.option?.(layer, option, fail));
    if (other) fail(`no +${option}: only ${other.names.join(' and ')} layers take padding`);
    fail(`an option +same, +valid, +pad<N>, +pad<H>x<W> or an activation (+relu, ...); not +${option}`);
  }
  return layer;
}
