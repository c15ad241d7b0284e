// The epoch loop: shuffle the order buffer, plan each epoch's steps, record them in chunks of up to
// Schedule.CAPACITY steps per submit, and read back only the few scalars a person asked to see.

import type { Op } from '../ops/op';
import { Random } from '../random';
import type { BatchProgress, EpochStats, FitSettings } from './config';
import type { GpuDataset } from './dataset';
import { clearStats, type Plan, readStats } from './plan';
import { Schedule, type StepRecord } from './schedule';
import { encodeStep, trainStepOps } from './train_step';
import type { Gpu } from '../runtime/gpu';

export interface EpochLoop {
  model: { gpu: Gpu; label: string; schedule: Schedule };
  plan: Plan;
  data: GpuDataset;
  gather: Op;
  update: Op;
  settings: FitSettings;
  validate?: () => Promise<{ loss: number; accuracy: number }>;
  onEpoch?: (stats: EpochStats) => void;
  onBatch?: (progress: BatchProgress) => void | Promise<void>;
  signal?: AbortSignal;
  /** Counts optimizer steps across fits (Adam's t); returns the new count. */
  nextStep: () => number;
}

export async function runEpochs(loop: EpochLoop): Promise<EpochStats[]> {
  const { model, plan, data, settings } = loop;
  const { gpu, schedule } = model;
  const queue = gpu.device.queue;
  const random = new Random(settings.seed);
  const augmentRandom = new Random(settings.seed ^ 0x5bd1e995); // its own stream: augmenting leaves shuffles alone
  const order = Uint32Array.from({ length: data.count }, (_, i) => i);
  const steps = Math.ceil(data.count / settings.batchSize);
  const history: EpochStats[] = [];
  const ops = trainStepOps(plan, loop.gather, loop.update);

  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    loop.signal?.throwIfAborted();
    const started = performance.now();
    if (settings.shuffle) queue.writeBuffer(data.order, 0, random.shuffle(order));
    clearStats(gpu, plan);

    let totals: [number, number] | undefined; // [loss sum, correct] as of the last readback
    for (let first = 0; first < steps; first += settings.stepsPerSubmit) {
      const records = stepRecords(epoch, first, Math.min(steps, first + settings.stepsPerSubmit), data.count, settings, loop.nextStep, augmentRandom);
      schedule.write(records);
      const encoder = gpu.device.createCommandEncoder({ label: `${model.label}.train` });
      const pass = encoder.beginComputePass({ label: `${model.label}.train` });
      records.forEach((r, i) => encodeStep(pass, ops, { group: schedule.group, offset: schedule.offset(i), rows: r.rows }));
      pass.end();
      queue.submit([encoder.finish()]);
      const done = first + records.length;
      if (loop.onBatch) {
        totals = await readStats(gpu, plan);
        const samples = Math.min(data.count, done * settings.batchSize);
        await loop.onBatch({ epoch, step: done, steps, loss: totals[0] / samples, accuracy: totals[1] / samples });
      }
      if (done < steps) loop.signal?.throwIfAborted();
    }

    const [lossSum, correct] = totals ?? (await readStats(gpu, plan)); // onBatch already read the final totals
    const stats: EpochStats = {
      epoch,
      loss: lossSum / data.count,
      accuracy: correct / data.count,
      samples: data.count,
      seconds: (performance.now() - started) / 1000,
    };
    if (loop.validate) stats.validation = await loop.validate();
    history.push(stats);
    loop.onEpoch?.(stats);
  }
  return history;
}

/** Step records for steps [from, to) of an epoch of `count` samples; the last batch may be short. */
function stepRecords(epoch: number, from: number, to: number, count: number, s: FitSettings, nextStep: () => number, random: Random): StepRecord[] {
  const steps = Math.ceil(count / s.batchSize);
  const records: StepRecord[] = [];
  for (let step = from; step < to; step++) {
    const batchStart = step * s.batchSize;
    const t = nextStep();
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
