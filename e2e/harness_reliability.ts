// Failures injected on purpose, through the public API: a device destroyed mid-fit (with and without a
// device to replace it), an absurd learning rate, an abort, a dispose during fit, many models made and
// freed, and two models trained at once.

import { createEngine, type Dataset, DeviceLostError, DivergenceError, type Engine, type FitOptions, type RecoveryEvent, type Weights } from '../src/index';
import * as reference from '../src/reference/model';
import { resolveMLPOptions } from '../src/model/architecture';
import { blobs, sameWeights } from './harness_model';

const LAYERS = [20, 16, 4];
const data = () => blobs(96, 20, 4, 7);

/** The models a scenario runs on: an MLP, or a ConvNet with dropout on the same 20 values seen as 1 × 4 × 5. */
export type Kind = 'mlp' | 'convnet';
const make = (engine: Engine, seed: number, kind: Kind) => (kind === 'mlp'
  ? engine.createMLP({ layers: LAYERS, seed })
  : engine.createModel({ input: [1, 4, 5], seed, layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }, { type: 'maxPool2d', size: 2 },
    { type: 'flatten' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 4 }] }));

const finite = (w: Weights) => [...w.weights, ...w.biases].every((x) => x.every(Number.isFinite));

/** Final weights of a fresh model (seed 1) after `fit` on its own engine, which is then destroyed. */
async function trained(fit: FitOptions, dataset: Dataset = data(), kind: Kind = 'mlp'): Promise<Weights> {
  const engine = await createEngine();
  const model = make(engine, 1, kind);
  await model.fit(dataset, fit);
  const weights = await model.getWeights();
  engine.destroy();
  return weights;
}

const FIT: FitOptions = { epochs: 3, batchSize: 8, learningRate: 0.01, optimizer: 'adam', stepsPerSubmit: 2, seed: 5 };

/**
 * Destroys the device after step `lossAt` of epoch 2, then checks: the fit finishes, reports the recovery,
 * and ends with the weights of an uninterrupted fit; an idle model on the same engine keeps its weights;
 * and a model whose device is lost between calls evaluates as before.
 */
export async function deviceLossRecovery(lossAt: number, checkpointEvery?: number, kind: Kind = 'mlp') {
  const uninterrupted = await trained(FIT, data(), kind);
  const engine = await createEngine();
  const idle = make(engine, 2, kind);
  const idleBefore = await idle.getWeights();
  const model = make(engine, 1, kind);
  const firstDevice = engine.gpu.device;
  const recoveries: RecoveryEvent[] = [];
  const epochs: number[] = [];
  const history = await model.fit(data(), {
    ...FIT, checkpointEvery,
    onBatch: ({ epoch, step }) => {
      if (epoch === 2 && step === lossAt && engine.gpu.device === firstDevice) firstDevice.destroy();
    },
    onEpoch: (stats) => epochs.push(stats.epoch),
    onRecovery: (event) => recoveries.push(event),
  });
  const recovered = await model.getWeights();
  const evaluation = await model.evaluate(data());
  engine.gpu.device.destroy(); // lost again, between calls
  const evaluationAfterLoss = await model.evaluate(data());
  const idleAfter = await idle.getWeights();
  engine.destroy();
  return {
    recoveries, epochs, historyLength: history.length, newDevice: engine.gpu.device !== firstDevice,
    sameAsUninterrupted: sameWeights(recovered, uninterrupted), idleKept: sameWeights(idleBefore, idleAfter),
    evaluation, evaluationAfterLoss,
  };
}

/** The device is lost in epoch 2 and no adapter can be had: fit rejects, carrying the weights from the end of epoch 1. */
export async function deviceLossWithoutDevice() {
  const afterEpoch1 = await trained({ ...FIT, epochs: 1, optimizer: 'sgd', learningRate: 0.1 });
  const engine = await createEngine();
  const model = make(engine, 1, 'mlp');
  const gpu = navigator.gpu as GPU & { requestAdapter: GPU['requestAdapter'] };
  try {
    await model.fit(data(), {
      ...FIT, optimizer: 'sgd', learningRate: 0.1,
      onBatch: ({ epoch, step }) => {
        if (epoch === 2 && step === 4) {
          gpu.requestAdapter = async () => null; // no adapter from now on
          engine.gpu.device.destroy();
        }
      },
    });
    return { name: 'none', message: 'fit resolved', taken: '', weightsAreEpoch1: false };
  } catch (error) {
    const e = error as DeviceLostError;
    return {
      name: e.name, message: e.message, taken: e.taken,
      weightsAreEpoch1: e instanceof DeviceLostError && sameWeights(e.weights, afterEpoch1),
    };
  } finally {
    delete (gpu as Partial<typeof gpu>).requestAdapter; // the prototype's again
    engine.destroy();
  }
}

/**
 * SGD at an absurd learning rate without shuffling: the loss overflows within a few steps. The model must keep
 * the weights from before the diverging step, which a fit over only the steps before it reproduces exactly.
 */
export async function divergence(kind: Kind = 'mlp') {
  const fit: FitOptions = { epochs: 2, batchSize: 8, learningRate: 1e30, shuffle: false };
  const engine = await createEngine();
  const model = make(engine, 1, kind);
  try {
    await model.fit(data(), fit);
    return { name: 'none', message: 'fit resolved' };
  } catch (error) {
    const e = error as DivergenceError;
    const kept = await model.getWeights();
    const good = e.step - 1; // steps that finished with a finite loss (within epoch 1 here)
    const expected = good > 0 ? await trained({ ...fit, epochs: 1 }, sliceOf(data(), good * 8), kind) : undefined;
    const usable = await model.evaluate(data());
    engine.destroy();
    return {
      name: e.name, message: e.message, epoch: e.epoch, step: e.step, finite: finite(kept),
      keptBeforeStep: expected !== undefined && sameWeights(kept, expected), usable: typeof usable.accuracy === 'number',
    };
  }
}

/**
 * One step whose loss is finite but whose update overflows the weights: identical rows of pixels 30 labelled
 * with the class the initial model ranks last, SGD at lr 3e38. The epoch's checkpoint finds the weights
 * infinite, and the model goes back to its weights from before the fit.
 */
export async function weightsOverflow() {
  const engine = await createEngine();
  const model = engine.createMLP({ layers: [4, 3, 2], activation: 'identity', seed: 1 }); // no unit can die
  const before = await model.getWeights();
  const images = new Float32Array(32).fill(30);
  const logits = reference.forward(resolveMLPOptions({ layers: [4, 3, 2], activation: 'identity' }).layers,
    reference.referenceParams(await model.getTensors()), images.subarray(0, 4), 1).at(-1)!;
  const labels = new Uint8Array(8).fill(logits[0] < logits[1] ? 0 : 1); // p(label) ≈ e^-|gap|: a full-size gradient
  const error = await model.fit({ images, labels, count: 8, features: 4 }, { epochs: 1, batchSize: 8, learningRate: 3e38 })
    .then(() => undefined, (e: DivergenceError) => e);
  const kept = await model.getWeights();
  engine.destroy();
  return { name: error?.name ?? 'none', message: error?.message ?? '', what: error?.what, keptInitial: sameWeights(kept, before) };
}

const sliceOf = (d: Dataset, count: number): Dataset => ({
  images: d.images.slice(0, count * d.features), labels: d.labels.slice(0, count), count, features: d.features,
});

/**
 * Aborts from onBatch after step 3 (one step per submit): fit rejects with the signal's reason, no further
 * step runs, the weights are those of exactly 3 steps, and the model trains again afterwards.
 */
export async function abortWithinOneBatch(kind: Kind = 'mlp') {
  const fit: FitOptions = { epochs: 2, batchSize: 8, learningRate: 0.1, shuffle: false, stepsPerSubmit: 1 };
  const engine = await createEngine();
  const model = make(engine, 1, kind);
  const controller = new AbortController();
  let stepsSeen = 0;
  let rejection = '';
  try {
    await model.fit(data(), {
      ...fit, signal: controller.signal,
      onBatch: ({ step }) => {
        stepsSeen++;
        if (step === 3) controller.abort(new Error('stop now'));
      },
    });
  } catch (error) {
    rejection = (error as Error).message;
  }
  const weights = await model.getWeights();
  const again = await model.fit(data(), { ...fit, epochs: 1 });
  engine.destroy();
  return { rejection, stepsSeen, exactlyThreeSteps: sameWeights(weights, await trained({ ...fit, epochs: 1 }, sliceOf(data(), 24), kind)), trainedAgain: again.length };
}

/** dispose() during a fit: the fit stops with DisposedError and every byte the model held is freed. */
export async function disposeDuringFit(kind: Kind = 'mlp') {
  const engine = await createEngine();
  const before = engine.bytesHeld;
  const model = make(engine, 1, kind);
  let disposed: Promise<void> | undefined;
  const fit = model.fit(data(), { epochs: 50, batchSize: 8, stepsPerSubmit: 1, onBatch: ({ step }) => { if (step === 2) disposed ??= model.dispose(); } });
  const error = await fit.then(() => undefined, (e: Error) => e);
  await disposed;
  const after = engine.bytesHeld;
  engine.destroy();
  return { name: error?.name ?? 'none', message: error?.message ?? '', leaked: after - before, afterDestroy: engine.bytesHeld };
}

/** Creates, trains and disposes 50 models on one engine: bytes held after each, and after destroy. */
export async function manyModels() {
  const engine = await createEngine();
  const baseline = engine.bytesHeld;
  const held: number[] = [];
  for (let i = 0; i < 50; i++) {
    const model = make(engine, i, i % 5 === 4 ? 'convnet' : 'mlp'); // every fifth a ConvNet
    await model.fit(data(), { epochs: 1, batchSize: 16, optimizer: i % 2 ? 'adam' : 'sgd' });
    await model.predict(data().images);
    await model.dispose();
    held.push(engine.bytesHeld - baseline);
  }
  engine.destroy();
  return { baseline, held, afterDestroy: engine.bytesHeld };
}

/** Two models trained at once on one engine end as when trained one after the other. */
export async function concurrentModels(kind: Kind = 'mlp') {
  const engine = await createEngine();
  const fits: FitOptions[] = [{ ...FIT, stepsPerSubmit: 1 }, { epochs: 2, batchSize: 12, learningRate: 0.2, momentum: 0.9 }];
  const run = async (parallel: boolean) => {
    const models = [make(engine, 1, kind), make(engine, 2, kind)];
    if (parallel) await Promise.all(models.map((m, i) => m.fit(data(), fits[i])));
    else for (const [i, m] of models.entries()) await m.fit(data(), fits[i]);
    const weights = await Promise.all(models.map((m) => m.getWeights()));
    await Promise.all(models.map((m) => m.dispose()));
    return weights;
  };
  const [sequential, parallel] = [await run(false), await run(true)];
  engine.destroy();
  return { same: sequential.map((w, i) => sameWeights(w, parallel[i])) };
}
