// The epoch loop: shuffle the order buffer (each batch's rows then in the order of src/model/batch_order.ts),
// plan each epoch's steps, record them in chunks of up to stepsPerSubmit steps per submit, and read back only
// the few scalars a person asked to see. At each epoch's end (and every checkpointEvery steps) it hands the
// model a FitProgress: with the model's saved state, enough to continue this fit exactly, e.g. on a new device
// after the old one was lost, or later from a checkpoint file. With onProfile, every profileEvery seconds a
// chunk's first step is timed op by op.

import { type Op, Recorder } from '../ops/op';
import { Random } from '../random';
import { datasetOrder, sortBatches } from './batch_order';
import type { BatchProgress, EpochStats, FitSettings, StepProfile } from './config';
import type { GpuDataset } from './dataset';
import { clearStats, type Plan, readStats, type Stats } from './plan';
import { Schedule, type StepRecord } from './schedule';
import { canTime, StepTimer } from './timing';
import { encodeStep, trainStepOps } from './train_step';
import type { Gpu } from '../runtime/gpu';

/** Where a fit stands, between two submits. */
export interface FitProgress {
  /** The epoch in progress (from 1) and how many of its steps are done. */
  epoch: number;
  step: number;
  /** This epoch's sample order (shuffled once step > 0) and its running totals. */
  order: Uint32Array;
  totals: Stats;
  /** PRNG states: shuffling, and augmentation (its own stream, so augmenting leaves shuffles alone). */
  random: Uint32Array;
  augmentRandom: Uint32Array;
  /** The finished epochs. */
  history: EpochStats[];
}

const NO_STATS: Stats = { lossSum: 0, correct: 0, divergedAt: 0 };

export function startOfFit(settings: FitSettings, count: number): FitProgress {
  return {
    epoch: 1, step: 0, order: datasetOrder(count), totals: NO_STATS,
    random: new Random(settings.seed).save(), augmentRandom: new Random(settings.seed ^ 0x5bd1e995).save(), history: [],
  };
}

export interface EpochLoop {
  model: { gpu: Gpu; label: string; schedule: Schedule };
  plan: Plan;
  data: GpuDataset;
  /** The training samples' keys for the order of a batch's rows (orderKeys). */
  keys: Float64Array;
  gather: Op;
  update: Op;
  settings: FitSettings;
  /** Optimizer steps taken before this fit (Adam's t continues from it). */
  firstStep: number;
  validate?: () => Promise<{ loss: number; accuracy: number }>;
  onEpoch?: (stats: EpochStats) => void;
  onBatch?: (progress: BatchProgress) => void | Promise<void>;
  onProfile?: (profile: StepProfile) => void;
  signal?: AbortSignal;
  /** Starts reading the model's state (parameters and optimizer state) back, as of the work submitted so far. */
  readState: () => Promise<Float32Array[]>;
  /**
   * Saves the model's state as of `progress`, having taken `optimizerSteps` steps in all, the last being `last`:
   * `state` if given (from readState), else read now.
   */
  checkpoint: (progress: FitProgress, optimizerSteps: number, last: { epoch: number; step: number }, state?: Promise<Float32Array[]>) => Promise<void>;
  /** The loss diverged at (epoch, step), after `optimizerSteps` good steps: settles the model, returns the error to throw. */
  diverged: (epoch: number, step: number, optimizerSteps: number) => Promise<Error>;
}

export async function runEpochs(loop: EpochLoop, from: FitProgress): Promise<EpochStats[]> {
  const { model, plan, data, settings } = loop;
  const { gpu } = model;
  const queue = gpu.device.queue;
  const random = Random.resume(from.random);
  const augmentRandom = Random.resume(from.augmentRandom);
  const order = from.order.slice();
  const history = from.history.slice();
  const steps = Math.ceil(data.count / settings.batchSize);
  const ops = trainStepOps(plan, loop.gather, loop.update);
  const stepsBefore = (epoch: number, step: number) => loop.firstStep + (epoch - 1) * steps + step;
  let { step, totals } = from;
  const checkpoint = (epoch: number, state?: Promise<Float32Array[]>) => loop.checkpoint({
    epoch, step, order: order.slice(), totals, random: random.save(), augmentRandom: augmentRandom.save(), history: history.slice(),
  }, stepsBefore(epoch, step), step > 0 ? { epoch, step } : { epoch: epoch - 1, step: steps }, state);
  const readTotals = async (epoch: number): Promise<Stats> => {
    const stats = await readStats(gpu, plan);
    if (stats.divergedAt > 0) {
      const at = Math.floor((stats.divergedAt - 1) / settings.batchSize); // steps before the diverging one
      throw await loop.diverged(epoch, at + 1, stepsBefore(epoch, at));
    }
    return stats;
  };

  // Now and then (onProfile) a chunk's first step runs with each op in its own timed pass.
  const timer = loop.onProfile && canTime(gpu) ? new StepTimer(gpu, `${model.label}.train`, ops) : undefined;
  if (loop.onProfile && !timer) loop.onProfile({ supported: false, reason: 'this adapter has no timestamp-query' });
  const opNames = ops.map((op) => op.label.replace(`${model.label}.`, '').replace(/^train\d*\./, ''));
  let nextProfile = 0;
  try {
    for (let epoch = from.epoch; epoch <= settings.epochs; epoch++) {
      const started = performance.now();
      if (step === 0 && settings.shuffle) sortBatches(random.shuffle(order), loop.keys, settings.batchSize);
      queue.writeBuffer(data.order, 0, order);
      clearStats(gpu, plan, totals);
      let endState: Promise<Float32Array[]> | undefined; // the state after the epoch's last step, read with its totals

      while (step < steps) {
        const end = Math.min(steps, step + settings.stepsPerSubmit, nextCheckpoint(step, settings.checkpointEvery));
        const records = stepRecords(epoch, step, end, data.count, settings, stepsBefore(epoch, step), augmentRandom);
        const timed = timer && performance.now() >= nextProfile ? timer : undefined;
        submitChunk(model, ops, records, timed);
        if (end === steps && !loop.onBatch) {
          // The epoch's end checkpoint reads the state back: asked for now, it comes in the same wait as the totals.
          // (With onBatch it is read after the last call, as the state the checkpoint saves.)
          endState = loop.readState();
          endState.catch(() => undefined); // unused if the totals say the loss diverged; their read reports a lost device
        }
        if (timed) {
          const ms = await timed.read();
          loop.onProfile!({ supported: true, epoch, step: step + 1, ops: ops.map((_, i) => ({ op: opNames[i], ms: ms[i] })) });
          nextProfile = performance.now() + settings.profileEvery * 1000;
        }
        step = end;
        if (loop.onBatch) {
          totals = await readTotals(epoch);
          const samples = Math.min(data.count, step * settings.batchSize);
          await loop.onBatch({ epoch, step, steps, loss: totals.lossSum / samples, accuracy: totals.correct / samples });
        } else if (step < steps) {
          await queue.onSubmittedWorkDone(); // one chunk in flight at a time: an abort or a lost device is seen here
        } // (the epoch's last chunk: reading its totals below waits for it)
        const checkpointDue = settings.checkpointEvery !== undefined && step < steps && step % settings.checkpointEvery === 0;
        if (loop.signal?.aborted || checkpointDue) {
          if (!loop.onBatch) totals = await readTotals(epoch); // onBatch already read this chunk's totals
          await checkpoint(epoch);
          loop.signal?.throwIfAborted();
        }
      }

      if (!loop.onBatch) totals = await readTotals(epoch); // onBatch already read the final totals
      const stats: EpochStats = {
        epoch,
        loss: totals.lossSum / data.count,
        accuracy: totals.correct / data.count,
        samples: data.count,
        seconds: (performance.now() - started) / 1000,
      };
      if (loop.validate) stats.validation = await loop.validate();
      history.push(stats);
      step = 0;
      totals = NO_STATS;
      await checkpoint(epoch + 1, endState); // first: if the device is lost before it is taken, this epoch runs again
      loop.onEpoch?.(stats);
    }
  } finally {
    timer?.destroy();
  }
  return history;
}

/** Writes the chunk's step records and submits its steps in one compute pass; the first in timed passes of its own if `timer`. */
function submitChunk({ gpu, label, schedule }: EpochLoop['model'], ops: Op[], records: StepRecord[], timer?: StepTimer): void {
  schedule.write(records);
  const encoder = gpu.device.createCommandEncoder({ label: `${label}.train` });
  const step = (i: number) => ({ group: schedule.group, offset: schedule.offset(i), rows: records[i].rows });
  timer?.encode(encoder, step(0));
  const recorder = new Recorder(encoder, `${label}.train`);
  for (let i = timer ? 1 : 0; i < records.length; i++) encodeStep(recorder, ops, step(i));
  recorder.end();
  gpu.device.queue.submit([encoder.finish()]);
}

/** The first step after `step` that ends a checkpoint interval. */
const nextCheckpoint = (step: number, every: number | undefined) => (every ? (Math.floor(step / every) + 1) * every : Infinity);

/** Step records for steps [from, to) of an epoch of `count` samples, the first being optimizer step t0 + 1. */
function stepRecords(epoch: number, from: number, to: number, count: number, s: FitSettings, t0: number, random: Random): StepRecord[] {
  const steps = Math.ceil(count / s.batchSize);
  const records: StepRecord[] = [];
  for (let step = from; step < to; step++) {
    const batchStart = step * s.batchSize;
    const t = t0 + 1 + (step - from);
    const progress = ((epoch - 1) * steps + step) / (s.epochs * steps); // through this fit, in [0, 1)
    records.push({
      batchStart,
      rows: Math.min(s.batchSize, count - batchStart),
      learningRate: s.lrSchedule === 'cosine' ? s.learningRate * 0.5 * (1 + Math.cos(Math.PI * progress)) : s.learningRate,
      adamC1: s.optimizer === 'adam' ? adamCorrection(s.beta1, t) : 1,
      adamC2: s.optimizer === 'adam' ? adamCorrection(s.beta2, t) : 1,
      seed: random.nextU32(),
    });
  }
  return records;
}

/** 1 - β^t for the float32 β the kernel uses, so that at t = 1 it cancels the kernel's (1 - β) exactly. */
export const adamCorrection = (beta: number, t: number): number => 1 - Math.fround(beta) ** t;
