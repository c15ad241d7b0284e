// The engine in a dedicated Web Worker through createWorkerEngine: the same training as on this thread, bit for
// bit, with progress events, pause, abort, typed errors and the rest of the model API.

import { ArgumentError, createEngine, createWorkerEngine, DatasetError, DeviceLimitError, type FitOptions, type ModelOptions } from '../src/index';
import { blobs, sameValues, sameWeights } from './harness_model';

const startWorker = () => createWorkerEngine(new Worker(new URL('../src/worker/entry.ts', import.meta.url), { type: 'module' }));

export async function workerRun() {
  const data = blobs(96, 20, 4, 7);
  const fit: FitOptions = { epochs: 3, batchSize: 8, learningRate: 0.01, optimizer: 'adam', stepsPerSubmit: 2, seed: 5 };

  const local = await createEngine();
  const here = local.createMLP({ layers: [20, 16, 4], seed: 1 });
  await here.fit(data, fit);
  const expected = await here.getWeights();
  local.destroy();

  const engine = startWorker();
  const adapter = await engine.adapterInfo();
  const model = engine.createMLP({ layers: [20, 16, 4], seed: 1 });
  const batches: number[] = [];
  const epochs: number[] = [];
  let ticks = 0; // timer callbacks this thread ran while the worker trained
  const timer = setInterval(() => ticks++, 5);
  let pausedFor = 0;
  const history = await model.fit(data, {
    ...fit,
    onEpoch: (stats) => epochs.push(stats.epoch),
    onBatch: async ({ epoch, step }) => {
      batches.push(epoch * 100 + step);
      if (epoch === 2 && step === 4) { // pause: the worker waits for this promise
        const started = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 150));
        pausedFor = performance.now() - started;
      }
    },
  });
  clearInterval(timer);
  const weights = await model.getWeights();
  const same = sameWeights(weights, expected);
  const probs = await model.predict(data.images.slice(0, 40 * 20));
  const [file, onnx] = [await model.save(), await model.toONNX()];
  const loaded = await engine.loadModel(file);
  const loadedProbs = await loaded.predict(data.images.slice(0, 40 * 20));

  let typedError = '';
  await model.fit({ ...data, labels: data.labels.map((l, i) => (i === 3 ? 9 : l)) }).catch((e) => {
    typedError = e instanceof DatasetError ? `DatasetError ${e.dataset} ${e.field}` : `not typed: ${e}`;
  });
  let syncError = false;
  try {
    engine.createMLP({ layers: [20] });
  } catch (e) {
    syncError = e instanceof ArgumentError && e.argument === 'layers';
  }
  const huge = engine.createMLP({ layers: [200_000, 200_000, 10] }); // fails in the worker, where the device is
  const limitError = await huge.getWeights().then(() => 'none', (e) => (e instanceof DeviceLimitError ? `DeviceLimitError ${e.limit}` : String(e)));
  const controller = new AbortController();
  let aborted = '';
  await model.fit(data, { ...fit, signal: controller.signal, onBatch: ({ step }) => { if (step === 2) controller.abort(new Error('stop')); } })
    .catch((e) => (aborted = e.message));

  await Promise.all([model.dispose(), loaded.dispose()]);
  const bytesAfterDispose = await engine.bytesHeld();
  await engine.destroy();
  return {
    adapter: `${adapter.vendor} ${adapter.architecture}`, history: history.length, epochs, batches: batches.length, ticks, pausedFor,
    same, probsRows: probs.length / 4, sameAfterLoad: sameValues(probs, loadedProbs), fileBytes: file.length,
    onnxBytes: onnx.length, typedError, syncError, limitError, aborted, bytesAfterDispose,
  };
}

/** A ConvNet made with WorkerEngine.createModel trains exactly as on this thread, and saves and loads in the worker. */
export async function workerConvnet() {
  const data = blobs(64, 30, 3, 2);
  const options: ModelOptions = { input: [1, 5, 6], seed: 4, layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }, { type: 'maxPool2d', size: 2 },
    { type: 'flatten' }, { type: 'dropout', rate: 0.25 }, { type: 'dense', units: 3 }] };
  const fit: FitOptions = { epochs: 2, batchSize: 8, learningRate: 0.01, optimizer: 'adam', seed: 3, augment: { shift: 1 } };
  const local = await createEngine();
  const here = local.createModel(options);
  await here.fit(data, fit);
  const expected = await here.getWeights();
  local.destroy();

  const engine = startWorker();
  const model = engine.createModel(options);
  const checkpoints: { bytes: Uint8Array; epoch: number }[] = [];
  let inspected = '';
  let profiled = 0;
  await model.fit(data, {
    ...fit, onCheckpoint: (bytes, at) => checkpoints.push({ bytes, epoch: at.epoch }), onProfile: (p) => (profiled += p.supported ? p.ops.length : -1),
    onBatch: async ({ epoch, step }) => {
      if (epoch === 1 && step === 8) inspected = (await model.inspect(data.images.slice(0, 30))).layers.map((l) => l.shape.join('x')).join(' ');
    },
  });
  const same = sameWeights(await model.getWeights(), expected);
  const resumed = engine.createModel(options);
  await resumed.fit(data, { ...fit, resumeFrom: checkpoints[0].bytes });
  const sameResumed = sameWeights(await resumed.getWeights(), expected);
  const loaded = await engine.loadModel(await model.save());
  const probs = await model.predict(data.images);
  const sameAfterLoad = sameValues(probs, await loaded.predict(data.images));
  let syncError = '';
  try {
    engine.createModel({ ...options, layers: [{ type: 'flatten' }, { type: 'conv2d', filters: 2, kernelSize: 1 }, { type: 'dense', units: 3 }] });
  } catch (e) {
    syncError = e instanceof ArgumentError ? e.argument : String(e);
  }
  await engine.destroy();
  return {
    same, sameAfterLoad, specLayers: loaded.spec.layers.map((l) => l.type), syncError,
    checkpointEpochs: checkpoints.map((c) => c.epoch), sameResumed, inspected, profiled,
  };
}
