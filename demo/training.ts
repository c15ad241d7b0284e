// One training run in the worker: the fit's options from the form's settings, its progress on the page (status,
// progress bar, loss and accuracy charts, samples/s and GPU timings), and its checkpoints, kept in the Origin
// Private File System (saved_run.ts) so that a reload can resume it. Pause works through the promise onBatch
// returns, Stop through the signal.

import type { EpochStats, WorkerModel } from '../src/index';
import type { LineChart } from './chart';
import type { Splits } from './data';
import type { Settings } from './form';
import { type SavedRun, saveRun } from './saved_run';
import { renderProfile, renderRate } from './timing';

/** What the page's Pause and Stop buttons hold of a run. */
export interface RunControls {
  controller: AbortController;
  paused?: Promise<void>;
  resume?: () => void;
}

/** Where a run shows itself, and what the page does after each chunk of steps and each epoch (e.g. redraw the filters). */
export interface RunView {
  status: HTMLElement;
  progress: HTMLProgressElement;
  error: HTMLElement;
  timing: HTMLElement;
  lossChart: LineChart;
  accuracyChart: LineChart;
  afterBatch: () => void;
  afterEpoch: () => void;
}

const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Trains `model` on `data` as `settings` say, or carries on from a saved run; says how it ended. */
export async function runFit(model: WorkerModel, data: Splits, settings: Settings, from: { run: SavedRun; checkpoint: Uint8Array } | undefined,
  controls: RunControls, view: RunView): Promise<'finished' | 'stopped' | 'failed'> {
  const { train } = data;
  view.lossChart.clear();
  view.accuracyChart.clear();
  const epochs: EpochStats[] = from ? [...from.run.epochs] : [];
  const loss: [number, number][] = from ? [...from.run.loss] : [];
  for (const [x, y] of loss) view.lossChart.add(0, x, y);
  for (const e of epochs) chartEpoch(view.accuracyChart, e);

  const trainCount = train.count - Math.floor(train.count * 0.05);
  const total = settings.epochs * Math.ceil(trainCount / settings.batch);
  let [last, rate, stepsDone, epochLossSum, epochSamples, epoch] = [performance.now(), 0, -1, 0, 0, 0];
  let latest: { checkpoint: Uint8Array; at: { epoch: number; step: number } } | undefined;
  let saving = Promise.resolve(); // checkpoints are written one after the other
  const keep = (checkpoint: Uint8Array, at: { epoch: number; step: number }) => {
    const run: SavedRun = { settings, dataset: data.name, at, epochs: [...epochs], loss: [...loss] };
    saving = saving.then(() => saveRun(checkpoint, run)).then(() => {
      view.status.dataset.saved = `${at.epoch}:${at.step}`; // where a reload would resume
    }, (error) => {
      view.error.textContent = `The checkpoint was not saved, so a reload cannot resume this run: ${message(error)}`;
    });
  };
  try {
    await model.fit(train, {
      epochs: settings.epochs, batchSize: settings.batch, learningRate: settings.lr, optimizer: settings.optimizer,
      l2: settings.l2, seed: settings.seed, lrSchedule: 'cosine', validationSplit: 0.05, stepsPerSubmit: 4,
      augment: settings.augment && train.imageShape ? { shift: 2, rotate: 10 } : undefined,
      signal: controls.controller.signal, resumeFrom: from?.checkpoint, profileEvery: 3,
      onBatch: async (p) => {
        const done = (p.epoch - 1) * p.steps + p.step;
        const now = performance.now();
        // p.loss is the mean over the epoch so far; chart the mean over just these batches.
        const samples = Math.min(trainCount, p.step * settings.batch);
        if (p.epoch !== epoch) [epochLossSum, epochSamples, epoch] = [0, 0, p.epoch];
        const chunkLoss = (p.loss * samples - epochLossSum) / (samples - epochSamples);
        [epochLossSum, epochSamples] = [p.loss * samples, samples];
        if (stepsDone >= 0) { // the first chunk after a start or resume has no rate yet
          const chunkRate = ((done - stepsDone) * settings.batch) / ((now - last) / 1000);
          rate = rate === 0 ? chunkRate : 0.8 * rate + 0.2 * chunkRate;
          renderRate(view.timing, rate);
        }
        stepsDone = done;
        view.progress.value = done / total;
        view.lossChart.add(0, done, chunkLoss);
        loss.push([done, chunkLoss]);
        view.status.textContent = `Epoch ${p.epoch}/${settings.epochs} · step ${p.step}/${p.steps} · loss ${p.loss.toFixed(3)}` +
          (rate > 0 ? ` · ${Math.round(rate).toLocaleString()} samples/s · ${Math.ceil(((total - done) * settings.batch) / rate)} s remaining` : '');
        view.afterBatch();
        if (controls.paused) {
          view.status.textContent += ' · paused';
          await controls.paused;
        }
        last = performance.now();
      },
      onEpoch: (e) => {
        epochs.push(e);
        chartEpoch(view.accuracyChart, e);
        if (latest) keep(latest.checkpoint, latest.at); // the checkpoint taken at this epoch's end, with this epoch charted
        view.afterEpoch();
      },
      onCheckpoint: (checkpoint, at) => {
        latest = { checkpoint, at };
        if (at.step > 0) keep(checkpoint, at); // a stop: no onEpoch follows
      },
      onProfile: (profile) => renderProfile(view.timing, profile, model.spec.layers.map((l) => l.type)),
    });
    return 'finished';
  } catch (error) {
    if (controls.controller.signal.aborted) return 'stopped';
    view.error.textContent = message(error);
    return 'failed';
  } finally {
    await saving;
  }
}

function chartEpoch(chart: LineChart, e: EpochStats): void {
  chart.add(0, e.epoch, e.accuracy);
  if (e.validation) chart.add(1, e.epoch, e.validation.accuracy);
}
