// Checkpoints through the public API: a fit stopped (by an AbortSignal, or after an epoch) and resumed from its
// checkpoint on a fresh model in a new engine ends bit for bit where an uninterrupted fit ends; bad checkpoints
// are refused with typed errors and leave the model as it was; inspect and getWeights run during a fit.

import { ArgumentError, createEngine, type Engine, type FitOptions, ModelFormatError } from '../src/index';
import * as reference from '../src/reference/model';
import { blobs, sameTensors, sameWeights } from './harness_model';

/**
 * The models: an MLP; a ConvNet with dropout (its PRNG stream) on 20 values seen as 1 × 4 × 5; or one with batch
 * normalization (running statistics, which the optimizer does not move) after its convolution and its dense layer.
 */
type Kind = 'mlp' | 'convnet' | 'batchnorm';
const make = (engine: Engine, kind: Kind) => (kind === 'mlp'
  ? engine.createMLP({ layers: [20, 16, 4], seed: 1 })
  : kind === 'convnet' ? engine.createModel({ input: [1, 4, 5], seed: 1, layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }, { type: 'maxPool2d', size: 2 },
    { type: 'flatten' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 4 }] })
    : engine.createModel({ input: [1, 4, 5], seed: 1, layers: [
      { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same' }, { type: 'batchNorm', activation: 'relu' }, { type: 'maxPool2d', size: 2 },
      { type: 'flatten' }, { type: 'dense', units: 6 }, { type: 'batchNorm', momentum: 0.2, activation: 'relu' }, { type: 'dense', units: 4 }] }));
const data = () => blobs(100, 20, 4, 7); // 90 to train on (10 held out), batch 8: 12 steps an epoch, the last of 2 rows
const fitOf = (kind: Kind): FitOptions => ({
  epochs: 3, batchSize: 8, learningRate: 0.01, optimizer: 'adam', stepsPerSubmit: 2, seed: 5, lrSchedule: 'cosine', validationSplit: 0.1,
  augment: kind !== 'mlp' ? { shift: 1, rotate: 10 } : undefined,
});

/**
 * An uninterrupted fit, then the same fit stopped by its signal in epoch 2 and resumed in a new engine: from the
 * checkpoint at the stop, after step 6 ('abort') or after the epoch's last step, before its validation ('end'),
 * or from the checkpoint at epoch 1's end ('epoch'). 'quiet' has no onBatch, so the epoch's end checkpoint reads
 * the state along with the epoch's totals; its onEpoch stops the fit, which is resumed from that checkpoint.
 */
export async function resumeExactly(kind: Kind, how: 'abort' | 'end' | 'epoch' | 'quiet') {
  const engine = await createEngine();
  const whole = make(engine, kind);
  const wholeHistory = await whole.fit(data(), fitOf(kind));
  const expected = await whole.getTensors();

  const stopped = make(engine, kind);
  const controller = new AbortController();
  const checkpoints: { bytes: Uint8Array; at: { epoch: number; step: number } }[] = [];
  const epochsSeen: number[] = [];
  const stopError = await stopped.fit(data(), {
    ...fitOf(kind), signal: controller.signal,
    onCheckpoint: (bytes, at) => checkpoints.push({ bytes, at }),
    onEpoch: (stats) => {
      epochsSeen.push(stats.epoch);
      if (how === 'quiet') controller.abort(new Error('stop'));
    },
    onBatch: how === 'quiet' ? undefined : ({ epoch, step }) => {
      if (how === 'abort' && epoch === 2 && step === 6) controller.abort(new Error('stop'));
      if (how === 'end' && epoch === 2 && step === 12) controller.abort(new Error('stop'));
      if (how === 'epoch' && epoch === 2 && step === 2) controller.abort(new Error('stop'));
    },
  }).then(() => 'finished', (e: Error) => e.message);
  engine.destroy();
  const fromEpoch = how === 'epoch' || how === 'quiet';
  const from = fromEpoch ? checkpoints.find((c) => c.at.epoch === 2 && c.at.step === 0)! : checkpoints.at(-1)!;

  const fresh = await createEngine(); // as after a reload: nothing of the first engine survives
  const resumed = make(fresh, kind);
  const resumedEpochs: number[] = [];
  const history = await resumed.fit(data(), { ...fitOf(kind), stepsPerSubmit: 3, resumeFrom: from.bytes, onEpoch: (s) => resumedEpochs.push(s.epoch) });
  const weights = await resumed.getTensors();
  const loaded = await fresh.loadModel(from.bytes); // a checkpoint is also a model file
  const loadedWeights = await loaded.getTensors();
  fresh.destroy();
  const lossOf = (h: { loss: number; validation?: { loss: number } }[]) => h.map((e) => [e.loss, e.validation?.loss]);
  return {
    stopError, epochsSeen, checkpointsAt: checkpoints.map((c) => c.at), from: from.at, resumedEpochs,
    same: sameTensors(weights, expected), sameHistory: JSON.stringify(lossOf(history)) === JSON.stringify(lossOf(wholeHistory)),
    historyLength: history.length, loadedDiffers: !sameTensors(loadedWeights, expected), bytes: from.bytes.length, tensors: Object.keys(expected),
  };
}

/** Checkpoints that must be refused, each with the error's class, its argument or file, and whether the model kept its weights. */
export async function badCheckpoints() {
  const engine = await createEngine();
  const source = make(engine, 'mlp');
  let checkpoint: Uint8Array | undefined;
  await source.fit(data(), { ...fitOf('mlp'), epochs: 1, onCheckpoint: (bytes) => (checkpoint = bytes) });
  const target = make(engine, 'mlp');
  const before = await target.getWeights();
  const results: Record<string, string> = {};
  const attempt = async (name: string, model: typeof target, options: FitOptions, dataset = data()) => {
    results[name] = await model.fit(dataset, { ...fitOf('mlp'), epochs: 1, ...options }).then(() => 'accepted', (e: Error) =>
      `${e.name}${e instanceof ArgumentError ? ` ${e.argument}` : ''}${e instanceof ModelFormatError ? ` ${e.file}` : ''}: ${e.message}`);
  };
  const cut = checkpoint!.slice(0, checkpoint!.length - 100);
  const bent = checkpoint!.slice();
  const text = new TextDecoder().decode(bent.subarray(8, 8 + Number(new DataView(bent.buffer).getBigUint64(0, true))));
  const epoch = '\\"epoch\\":'; // inside __metadata__.checkpoint, a JSON string within the header's JSON
  bent[8 + text.indexOf(`${epoch}2`) + epoch.length] = '7'.charCodeAt(0); // epoch 7 of a 1-epoch fit
  await attempt('truncated', target, { resumeFrom: cut });
  await attempt('epoch out of range', target, { resumeFrom: bent });
  await attempt('a model file', target, { resumeFrom: await source.save() });
  await attempt('other options', target, { resumeFrom: checkpoint, learningRate: 0.02 });
  await attempt('more data', target, { resumeFrom: checkpoint }, blobs(120, 20, 4, 7));
  await attempt('other labels', target, { resumeFrom: checkpoint }, blobs(100, 20, 4, 8));
  await attempt('not bytes', target, { resumeFrom: [1, 2, 3] as never });
  const other = engine.createMLP({ layers: [20, 12, 4], seed: 1 });
  await attempt('other architecture', other, { resumeFrom: checkpoint });
  const after = await target.getWeights();
  engine.destroy();
  return { results, kept: sameWeights(before, after) };
}

/**
 * getWeights and inspect during a fit: they answer between its submits, with the weights so far. After it,
 * inspect's layer outputs against the reference's forward pass, on a convolution a plan would fuse with its pool.
 */
export async function peekDuringFit() {
  const engine = await createEngine();
  const model = engine.createModel({ input: [1, 6, 7], seed: 2, layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'relu' },
    { type: 'flatten' }, { type: 'dense', units: 4 }] });
  const dataset = blobs(100, 42, 4, 7);
  const initial = await model.getWeights();
  const sample = dataset.images.slice(0, 42);
  const seen: { epoch: number; step: number; changed: boolean; layers: string; probabilities: number }[] = [];
  let pending: Promise<void> | undefined;
  await model.fit(dataset, {
    ...fitOf('convnet'),
    onBatch: ({ epoch, step }) => {
      if (step !== 4 || pending) return;
      pending = (async () => { // not awaited by fit: it answers while the fit goes on
        const [weights, inspection] = [await model.getWeights(), await model.inspect(sample)];
        seen.push({
          epoch, step, changed: !sameWeights(weights, initial),
          layers: inspection.layers.map((l) => `${l.type} ${l.shape.join('x')}`).join(', '),
          probabilities: inspection.probabilities.reduce((a, b) => a + b, 0),
        });
      })();
    },
  });
  await pending;
  // After the fit: inspect's last layer is the logits, whose softmax is predict's row, and its maps are the reference's.
  const [inspection, predicted] = [await model.inspect(sample), await model.predict(sample)];
  const logits = inspection.layers.at(-1)!.values;
  const max = Math.max(...logits);
  const exps = Array.from(logits, (z) => Math.exp(z - max));
  const softmaxDiff = Math.max(...exps.map((e, i) => Math.abs(e / exps.reduce((a, b) => a + b, 0) - predicted[i])));
  const probabilityDiff = Math.max(...Array.from(predicted, (p, i) => Math.abs(p - inspection.probabilities[i])));
  const acts = reference.forward(model.layers, reference.referenceParams(await model.getTensors()), Array.from(sample, (v) => v / 255), 1);
  const mapDiff = Math.max(...inspection.layers.map((layer, l) => Math.max(...Array.from(layer.values, (v, i) => Math.abs(v - acts[l + 1][i])))));
  const badInput = await model.inspect(new Uint8Array(41)).then(() => 'accepted', (e: Error) => e.name);
  engine.destroy();
  return { seen, softmaxDiff, probabilityDiff, mapDiff, badInput };
}

/**
 * A fit with onProfile as often as it can be (every chunk: profileEvery 1 µs) against the same fit without: the same weights, and a profile of every op;
 * and on a device without timestamp-query, a single profile saying so.
 */
export async function profiledFit() {
  const engine = await createEngine();
  const plain = make(engine, 'convnet');
  await plain.fit(data(), fitOf('convnet'));
  const profiled = make(engine, 'convnet');
  const profiles: import('../src/index').StepProfile[] = [];
  await profiled.fit(data(), { ...fitOf('convnet'), profileEvery: 1e-6, onProfile: (p) => profiles.push(p) });
  const same = sameWeights(await plain.getWeights(), await profiled.getWeights());
  const timestamps = engine.gpu.device.features.has('timestamp-query');
  engine.destroy();
  // On a device without timestamp-query (the app's own, requested without it): one call that says so.
  const device = await (await navigator.gpu.requestAdapter())!.requestDevice();
  const bare = await createEngine({ device });
  const without: import('../src/index').StepProfile[] = [];
  await make(bare, 'mlp').fit(data(), { ...fitOf('mlp'), epochs: 1, profileEvery: 0.01, onProfile: (p) => without.push(p) });
  bare.destroy();
  device.destroy();
  return { same, timestamps, profiles: profiles.length, first: profiles[0], without };
}
