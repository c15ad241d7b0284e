// The model picker's models, made in the worker: an MLP (hidden widths and an activation), the ConvNet
// (jax-js's MNIST ConvNet, as `npm run train -- --preset cnn`), or Custom (the short layer syntax of
// `--layers`: an MLP's widths or a list of layers). A custom list that cannot be read, or does not fit the
// images, becomes a message for the Layers field naming the layer.

import { ArgumentError, type LayerOptions, LayerSyntaxError, MNIST_CONVNET, parseLayers, type WorkerEngine, type WorkerModel } from '../src/index';
import type { Settings } from './form';

/** What the model is trained on: features per sample, the image's [rows, cols] if any, and the classes. */
export interface DataShape {
  features: number;
  imageShape?: [number, number];
  classes: number;
}

export type Made = { model: WorkerModel } | { problem: string };

export function makeModel(engine: WorkerEngine, s: Settings, data: DataShape): Made {
  const text = s.model === 'convnet' ? MNIST_CONVNET : s.layers;
  if (s.model === 'mlp') return { model: engine.createMLP({ layers: [data.features, ...s.hidden, data.classes], activation: s.activation, seed: s.seed }) };
  let layers: number[] | LayerOptions[];
  try {
    layers = parseLayers(text);
  } catch (error) {
    if (error instanceof LayerSyntaxError) return { problem: `${error.message[0].toUpperCase()}${error.message.slice(1)}.` };
    throw error;
  }
  if (typeof layers[0] === 'number') {
    const widths = layers as number[];
    if (widths[0] !== data.features) return { problem: `The first width is the input: these images have ${data.features} values.` };
    if (widths.at(-1) !== data.classes) return { problem: `The last width is the classes: this data has ${data.classes}.` };
    return { model: engine.createMLP({ layers: widths, activation: 'relu', init: 'he', seed: s.seed }) };
  }
  const [rows, cols] = data.imageShape ?? [1, data.features];
  try {
    const model = engine.createModel({ input: [data.features / (rows * cols), rows, cols], layers: layers as LayerOptions[], init: 'he', seed: s.seed });
    const last = model.spec.layers.at(-1)!;
    if (last.type === 'dense' && last.units !== data.classes) {
      void model.dispose();
      return { problem: `The last layer gives ${last.units} values: this data has ${data.classes} classes.` };
    }
    return { model };
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    const index = Number(/^layers\[(\d+)\]/.exec(error.argument)?.[1]);
    if (Number.isNaN(index)) return { problem: `${error.message}.` };
    const token = text.split(',')[index]?.trim();
    return { problem: `Layer ${index + 1}, '${token}', on ${rows} × ${cols} images: ${error.message.replace(/^layers\[\d+\]\.?/, '')}.` };
  }
}
