// A model's tensors through the public API: getTensors and setTensors, save and loadModel, with batch norm's
// running statistics, which are saved but never trained.

import type { ModelOptions } from '../src/index';
import { resolveModelOptions } from '../src/model/architecture';
import { softmax } from '../src/reference/kernels';
import * as reference from '../src/reference/model';
import { getEngine, randomDataset, sameTensors, sameValues } from './harness_model';

/**
 * A model with batch norm, trained a little: its tensors (running statistics too) through getTensors, save and
 * loadModel; predictions that use the running statistics (one sample alone as in a batch, as the reference's
 * evaluation pass); setTensors of a subset, and bad setTensors calls refused with the model unchanged.
 */
export async function tensorsRoundTrip() {
  const engine = await getEngine();
  const options: ModelOptions = { input: [2, 5, 5], seed: 3, layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'batchNorm', activation: 'relu' }, { type: 'flatten' },
    { type: 'dense', units: 6, activation: 'tanh' }, { type: 'batchNorm' }, { type: 'dense', units: 3 }] };
  const model = engine.createModel(options);
  const initial = await model.getTensors();
  await model.fit(randomDataset(40, 50, 3, 3), { epochs: 2, batchSize: 8, learningRate: 0.01, optimizer: 'adam' });
  const tensors = await model.getTensors();
  const images = randomDataset(6, 50, 3, 4).images;
  const probs = await model.predict(images);
  const alone = await model.predict(images.slice(0, 50));
  const expected = softmax(reference.forward(resolveModelOptions(options).layers, reference.referenceParams(tensors), Float64Array.from(images, (p) => p / 255), 6).at(-1)!, 6, 3);
  const loaded = await engine.loadModel(await model.save());
  const fromFile = sameTensors(await loaded.getTensors(), tensors) && sameValues(await loaded.predict(images), probs);
  // A subset: the first batch norm's running mean (data alone, or { shape, data }) moves predictions; the rest stays.
  const copy = engine.createModel(options);
  await copy.setTensors(tensors);
  const copied = sameTensors(await copy.getTensors(), tensors) && sameValues(await copy.predict(images), probs);
  await copy.setTensors({ 'layers.1.running_mean': { shape: [4], data: new Float32Array([1, 2, 3, 4]) } });
  const subset = await copy.getTensors();
  const refused: string[] = [];
  for (const bad of [{ 'layers.1.running_men': new Float32Array(4) }, { 'layers.1.running_var': { shape: [5], data: new Float32Array(5) } },
    { 'layers.4.weight': new Float32Array(5) }, { 'layers.4.bias': Float32Array.from([0, 0, NaN, 0, 0, 0]) }]) {
    try {
      await copy.setTensors(bad as never);
      refused.push('accepted');
    } catch (error) {
      refused.push(`${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  const unchanged = sameTensors(await copy.getTensors(), subset);
  const weights = await model.getWeights();
  for (const m of [model, loaded, copy]) m.dispose();
  return {
    keys: Object.keys(tensors), shapes: Object.values(tensors).map((t) => t.shape), initialVar: Array.from(initial['layers.1.running_var'].data),
    runningMoved: !sameValues(tensors['layers.1.running_mean'].data, initial['layers.1.running_mean'].data),
    aloneMaxDiff: Math.max(...Array.from(alone, (p, i) => Math.abs(p - probs[i]))),
    referenceMaxDiff: Math.max(...Array.from(probs, (p, i) => Math.abs(p - expected[i]))),
    fromFile, copied, subsetSet: Array.from(subset['layers.1.running_mean'].data), subsetKept: sameValues(subset['layers.4.weight'].data, tensors['layers.4.weight'].data),
    refused, unchanged, weightShapes: weights.weights.map((w) => w.length),
  };
}
