// The demo page: pick data, set up a network, train it on the GPU with live progress, inspect the results,
// draw digits, save and load models. It uses only the library's public API.

import { createEngine, type Engine, type EpochStats, type MLP, type ModelSpec, type BatchProgress, WebGPUUnavailableError } from '../src/index';
import { LineChart } from './chart';
import { bundledMnist, ownFiles, type Splits } from './data';
import { drawingPad } from './draw';
import { readSettings, setFormEnabled } from './form';
import { type Miss, renderConfusion, renderGallery, renderProbabilities } from './results';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** "784-64-10 relu" for a stack of dense layers on vectors, else the layer types in order. */
const describe = (spec: ModelSpec) => (spec.layers.every((l) => l.type === 'dense') && spec.input[1] * spec.input[2] === 1
  ? `${[spec.input[0], ...spec.layers.map((l) => (l.type === 'dense' ? l.units : 0))].join('-')} ${spec.layers[0].activation.name}`
  : spec.layers.map((l) => l.type).join(', '));
const form = $<HTMLFormElement>('settings');
const [start, pause, stop, save] = ['start', 'pause', 'stop', 'save'].map((id) => $<HTMLButtonElement>(id));
const lossChart = new LineChart($('loss-chart'), ['#2563eb']);
const accuracyChart = new LineChart($('accuracy-chart'), ['#2563eb', '#ea7a1a'], [0, 1]);
const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

let engine: Engine;
let splits: Splits | undefined;
let model: MLP | undefined;
let run: { controller: AbortController; resume?: () => void; paused?: Promise<void> } | undefined;

function setTraining(training: boolean): void {
  start.disabled = training;
  pause.disabled = !training;
  stop.disabled = !training;
  save.disabled = training || !model;
  pause.textContent = 'Pause';
  setFormEnabled(form, !training);
  // The data and the model stay put while a run uses them.
  for (const input of document.querySelectorAll<HTMLInputElement>('#files, #load, input[name=dataset]')) input.disabled = training;
}

async function chooseData(load: () => Promise<Splits>): Promise<void> {
  $('data-error').textContent = '';
  try {
    const next = await load();
    splits = next;
    $('data-status').textContent = `${next.name}: ${next.train.count.toLocaleString()} train, ${next.test.count.toLocaleString()} test digits`;
  } catch (error) {
    $('data-error').textContent = message(error); // the previous dataset stays
  }
}

async function train(): Promise<void> {
  const settings = readSettings(form);
  if (!settings || !splits || run) return;
  const { train: data, test } = splits;
  const classes = Math.max(2, ...data.labels, ...test.labels) + 1;
  model?.dispose();
  $('train-error').textContent = '';
  lossChart.clear();
  accuracyChart.clear();
  try {
    model = engine.createMLP({ layers: [data.features, ...settings.hidden, classes], activation: settings.activation, seed: settings.seed });
  } catch (error) {
    $('train-error').textContent = message(error);
    return;
  }
  run = { controller: new AbortController() };
  setTraining(true);
  const total = settings.epochs * Math.ceil((data.count - Math.floor(data.count * 0.05)) / settings.batch);
  const trainCount = data.count - Math.floor(data.count * 0.05);
  let [last, rate, stepsDone, epochLossSum, epochSamples, epoch] = [performance.now(), 0, 0, 0, 0, 0];
  const onBatch = async (p: BatchProgress) => {
    const done = (p.epoch - 1) * p.steps + p.step;
    const now = performance.now();
    // p.loss is the mean over the epoch so far; chart the mean over just these batches.
    const samples = Math.min(trainCount, p.step * settings.batch);
    if (p.epoch !== epoch) [epochLossSum, epochSamples, epoch] = [0, 0, p.epoch];
    const chunkLoss = (p.loss * samples - epochLossSum) / (samples - epochSamples);
    [epochLossSum, epochSamples] = [p.loss * samples, samples];
    const chunkRate = ((done - stepsDone) * settings.batch) / ((now - last) / 1000);
    rate = rate === 0 ? chunkRate : 0.8 * rate + 0.2 * chunkRate;
    stepsDone = done;
    $<HTMLProgressElement>('progress').value = done / total;
    lossChart.add(0, done, chunkLoss);
    $('train-status').textContent = `Epoch ${p.epoch}/${settings.epochs} · step ${p.step}/${p.steps} · loss ${p.loss.toFixed(3)} · ` +
      `${Math.round(rate).toLocaleString()} samples/s · ${Math.ceil(((total - done) * settings.batch) / rate)} s remaining`;
    if (run?.paused) {
      $('train-status').textContent += ' · paused';
      await run.paused;
    }
    last = performance.now();
  };
  const onEpoch = (e: EpochStats) => {
    accuracyChart.add(0, e.epoch, e.accuracy);
    if (e.validation) accuracyChart.add(1, e.epoch, e.validation.accuracy);
  };
  let stopped = false;
  try {
    await model.fit(data, {
      epochs: settings.epochs, batchSize: settings.batch, learningRate: settings.lr, optimizer: settings.optimizer,
      l2: settings.l2, seed: settings.seed, lrSchedule: 'cosine', validationSplit: 0.05, stepsPerSubmit: 4,
      augment: settings.augment && data.imageShape ? { shift: 2, rotate: 10 } : undefined,
      signal: run.controller.signal, onBatch, onEpoch,
    });
  } catch (error) {
    stopped = run.controller.signal.aborted;
    if (!stopped) $('train-error').textContent = message(error);
  }
  run = undefined;
  $('train-status').textContent = stopped ? 'Stopped.' : 'Done.';
  await showResults(test, classes, stopped);
  setTraining(false);
}

async function showResults(test: Splits['test'], classes: number, stopped: boolean): Promise<void> {
  if (!model) return;
  const { accuracy } = await model.evaluate(test);
  const probs = await model.predict(test.images);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const misses: Miss[] = [];
  for (let i = 0; i < test.count; i++) {
    const row = probs.subarray(i * classes, (i + 1) * classes);
    const predicted = row.indexOf(Math.max(...row));
    matrix[test.labels[i]][predicted]++;
    if (predicted !== test.labels[i] && misses.length < 30 && test.features === 784) {
      const pixels = test.images instanceof Uint8Array ? test.images.slice(i * 784, (i + 1) * 784) : Uint8Array.from(test.images.subarray(i * 784, (i + 1) * 784), (v) => v * 255);
      misses.push({ pixels, truth: test.labels[i], predicted, confidence: row[predicted] });
    }
  }
  $('test-accuracy').textContent = `Test accuracy ${(accuracy * 100).toFixed(2)}% on ${test.count.toLocaleString()} digits${stopped ? ' (stopped early)' : ''}`;
  $('test-accuracy').dataset.accuracy = String(accuracy);
  renderConfusion($<HTMLTableElement>('confusion'), matrix);
  renderGallery($('gallery'), misses);
}

async function main(): Promise<void> {
  try {
    engine = await createEngine();
  } catch (error) {
    $('no-webgpu').hidden = false;
    $('no-webgpu-reason').textContent = error instanceof WebGPUUnavailableError ? error.message : message(error);
    $('app').hidden = true;
    return;
  }
  renderProbabilities($<HTMLOListElement>('probabilities'), undefined);
  const pad = drawingPad($<HTMLCanvasElement>('pad'), (digit) => {
    if (!digit || !model || run) return renderProbabilities($<HTMLOListElement>('probabilities'), undefined);
    model.predict(digit).then((probs) => renderProbabilities($<HTMLOListElement>('probabilities'), probs), () => undefined);
  });
  $('clear').addEventListener('click', () => pad.clear());
  start.addEventListener('click', () => void train());
  pause.addEventListener('click', () => {
    if (!run) return;
    if (run.paused) {
      run.resume?.();
      run.paused = run.resume = undefined;
      pause.textContent = 'Pause';
    } else {
      run.paused = new Promise((resolve) => (run!.resume = resolve));
      pause.textContent = 'Resume';
    }
  });
  stop.addEventListener('click', () => {
    run?.controller.abort();
    run?.resume?.();
  });
  save.addEventListener('click', async () => {
    if (!model) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([await model.save() as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    link.download = 'model.safetensors';
    link.click();
    URL.revokeObjectURL(link.href);
  });
  $<HTMLInputElement>('load').addEventListener('change', async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    $('file-error').textContent = '';
    try {
      const loaded = await engine.loadModel(file);
      model?.dispose();
      model = loaded;
      save.disabled = false;
      $('file-status').textContent = `Loaded ${file.name}: ${describe(loaded.spec)}`;
    } catch (error) {
      $('file-error').textContent = message(error);
    }
  });
  const useFiles = (files: FileList | null | undefined) => {
    if (!files?.length) return;
    (document.querySelector('input[value=own]') as HTMLInputElement).checked = true;
    void chooseData(() => ownFiles(Array.from(files)));
  };
  $<HTMLInputElement>('files').addEventListener('change', (event) => useFiles((event.target as HTMLInputElement).files));
  const drop = $('drop');
  drop.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      $('files').click();
    }
  });
  drop.addEventListener('dragover', (event) => (event.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    useFiles(event.dataTransfer?.files);
  });
  document.querySelector('input[value=bundled]')!.addEventListener('change', () => void chooseData(bundledMnist));
  await chooseData(bundledMnist);
}

void main();
