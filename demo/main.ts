// The demo page: pick data and a model, train it in a Web Worker with live progress and GPU timings, see
// what a ConvNet sees, inspect the results, draw digits, save and load models, and resume a run after a
// reload. It uses only the library's public API.

import { createWorkerEngine, LAYER_SYNTAX, MNIST_CONVNET, type ModelSpec, type WorkerEngine, type WorkerModel } from '../src/index';
import { LineChart } from './chart';
import { bundledMnist, ownFiles, type Splits } from './data';
import { drawingPad, type Pad } from './draw';
import { readSettings, type Settings, setFieldError, setFormEnabled, showModelFields, writeSettings } from './form';
import { makeModel } from './models';
import { type Miss, renderConfusion, renderGallery, renderProbabilities } from './results';
import { discardRun, loadRun, type SavedRun } from './saved_run';
import { type RunControls, runFit } from './training';
import { renderFeatureMaps, renderFilters } from './vision';

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
const convolves = (m: WorkerModel | undefined) => m?.spec.layers.some((l) => l.type === 'conv2d') === true;

let engine: WorkerEngine;
let splits: Splits | undefined;
let model: WorkerModel | undefined;
let run: RunControls | undefined;
let saved: { run: SavedRun; checkpoint: Uint8Array } | undefined;

function setTraining(training: boolean): void {
  start.disabled = training;
  pause.disabled = !training;
  stop.disabled = !training;
  save.disabled = training || !model;
  pause.textContent = 'Pause';
  setFormEnabled(form, !training);
  // The data and the model stay put while a run uses them.
  for (const input of document.querySelectorAll<HTMLInputElement>('#files, #load, input[name=dataset]')) input.disabled = training;
  showOffer();
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
  showOffer();
}

/** The saved run's offer, when there is one and nothing trains: it resumes on the data it was trained on. */
function showOffer(): void {
  const offer = $('resume-offer');
  offer.hidden = !saved || run !== undefined;
  if (!saved || offer.hidden) return;
  const { run: r } = saved;
  const done = r.at.epoch - 1;
  const button = $<HTMLButtonElement>('resume-run');
  button.textContent = `Resume from epoch ${r.at.epoch} of ${r.settings.epochs}`;
  const sameData = splits?.name === r.dataset;
  button.disabled = !sameData;
  const net = r.settings.model === 'custom' ? r.settings.layers : r.settings.model === 'mlp' ? `an MLP with hidden layers ${r.settings.hidden.join(',')}` : 'the ConvNet';
  $('resume-text').textContent = `A run was saved: ${net}, seed ${r.settings.seed}, on ` +
    `${r.dataset}, ${done} of ${r.settings.epochs} epochs done${r.at.step > 0 ? `, stopped after step ${r.at.step} of epoch ${r.at.epoch}` : ''}.` +
    (sameData ? '' : ` To resume it, pick the same data (${r.dataset}) first.`);
}

/** Trains a new model as `settings` say, or resumes `from` (a saved run: its checkpoint and charts). */
async function train(settings: Settings, from?: { run: SavedRun; checkpoint: Uint8Array }): Promise<void> {
  if (!splits || run) return;
  const data = splits;
  const classes = Math.max(2, ...data.train.labels, ...data.test.labels) + 1;
  const made = makeModel(engine, settings, { features: data.train.features, imageShape: data.train.imageShape, classes });
  setFieldError(form, 'layers', 'problem' in made ? made.problem : undefined);
  if ('problem' in made) return;
  void model?.dispose();
  model = made.model;
  const current = model;
  $('train-error').textContent = '';
  run = { controller: new AbortController() };
  setTraining(true);
  void refreshVision(current);
  let read = performance.now(); // the pad's digit is read again every 2 s while training runs
  const ended = await runFit(current, data, settings, from, run, {
    status: $('train-status'), progress: $<HTMLProgressElement>('progress'), error: $('train-error'), timing: $('timing'),
    lossChart, accuracyChart, afterEpoch: () => void refreshVision(current),
    afterBatch: () => {
      if (performance.now() - read < 2000) return;
      read = performance.now();
      void inspectDigit();
    },
  });
  if (ended === 'finished') await discardRun(); // nothing left to resume
  saved = await loadRun(); // a stopped run, or one that failed (a refused checkpoint stays on offer until discarded)
  run = undefined;
  $('train-status').textContent = ended === 'stopped' ? 'Stopped.' : ended === 'finished' ? 'Done.' : 'Failed.';
  if (ended !== 'failed') await showResults(current, data.test, classes, ended === 'stopped').catch((error) => ($('train-error').textContent = message(error)));
  setTraining(false);
}

async function showResults(m: WorkerModel, test: Splits['test'], classes: number, stopped: boolean): Promise<void> {
  const { accuracy } = await m.evaluate(test);
  const probs = await m.predict(test.images);
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

/** The filters of `m`'s first convolution, and the pad's digit as `m` sees it (both during training too). */
async function refreshVision(m: WorkerModel): Promise<void> {
  $('vision').hidden = !convolves(m);
  $('vision-note').hidden = convolves(m);
  if (convolves(m)) {
    // The first convolution's weight: the first 4-D weight, (filters, channels, kh, kw).
    const filters = Object.entries(await m.getTensors()).find(([key, t]) => key.endsWith('.weight') && t.shape.length === 4)?.[1];
    if (filters) renderFilters($('filters'), filters.data, filters.shape);
  }
  await inspectDigit();
}

let inspecting: Promise<void> | undefined;
let again = false;
/** Reads the pad's digit with the current model: probabilities, and feature maps for a ConvNet. One at a time, the latest last. */
async function inspectDigit(): Promise<void> {
  if (inspecting) {
    again = true;
    return;
  }
  const digit = pad?.digit;
  const m = model;
  if (!digit || !m) {
    renderProbabilities($<HTMLOListElement>('probabilities'), undefined);
    renderFeatureMaps($('maps'), undefined);
    return;
  }
  inspecting = m.inspect(digit).then((inspection) => {
    if (m !== model) return;
    renderProbabilities($<HTMLOListElement>('probabilities'), inspection.probabilities);
    if (convolves(m)) renderFeatureMaps($('maps'), inspection);
  }, () => undefined); // e.g. a model disposed meanwhile: the next digit or model draws again
  await inspecting;
  inspecting = undefined;
  if (again) {
    again = false;
    await inspectDigit();
  }
}

let pad: Pad | undefined;

async function main(): Promise<void> {
  $('syntax').textContent = LAYER_SYNTAX;
  $('convnet-text').textContent = MNIST_CONVNET;
  showModelFields(form);
  const fail = (reason: string) => {
    $('no-webgpu').hidden = false;
    $('no-webgpu-reason').textContent = reason;
    $('app').hidden = true;
  };
  if (!navigator.gpu) return fail('navigator.gpu is not defined: this browser has no WebGPU, or it is turned off.');
  engine = createWorkerEngine(new Worker(new URL('../src/worker/entry.ts', import.meta.url), { type: 'module', name: 'webgpu-nn' }));
  try {
    await engine.adapterInfo(); // the worker makes its engine: WebGPUUnavailableError says why it could not
  } catch (error) {
    return fail(message(error));
  }
  pad = drawingPad($<HTMLCanvasElement>('pad'), () => void inspectDigit());
  (form.elements.namedItem('model') as HTMLSelectElement).addEventListener('change', () => showModelFields(form));
  $('clear').addEventListener('click', () => pad!.clear());
  $('sample').addEventListener('click', () => {
    const test = splits?.test;
    if (!test || test.features !== 784) return;
    const i = Math.floor(Math.random() * test.count);
    const pixels = test.images.subarray(i * 784, (i + 1) * 784);
    pad!.show(pixels instanceof Uint8Array ? pixels.slice() : Uint8Array.from(pixels, (v) => v * 255));
    $('pad').dataset.label = String(test.labels[i]);
  });
  start.addEventListener('click', () => {
    const settings = readSettings(form);
    if (settings) void train(settings);
  });
  $('resume-run').addEventListener('click', () => {
    if (!saved) return;
    writeSettings(form, saved.run.settings);
    void train(saved.run.settings, saved);
  });
  $('discard-run').addEventListener('click', async () => {
    await discardRun();
    saved = undefined;
    showOffer();
  });
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
      void model?.dispose();
      model = loaded;
      save.disabled = false;
      $('file-status').textContent = `Loaded ${file.name}: ${describe(loaded.spec)}`;
      await refreshVision(loaded);
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
  saved = await loadRun().catch(() => undefined);
  await chooseData(bundledMnist);
  document.body.dataset.ready = 'true';
}

void main();
