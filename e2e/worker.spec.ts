// Training in a dedicated Web Worker (createWorkerEngine), as a host app would (see e2e/harness_worker.ts).
import { expect, test } from './fixtures';

test('a worker engine trains exactly as this thread does, with events, pause, abort and typed errors', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.workerRun());
  console.log(JSON.stringify(r));
  expect(r.adapter).not.toBe('');
  expect(r.history).toBe(3);
  expect(r.epochs).toEqual([1, 2, 3]);
  expect(r.batches).toBe(3 * 6); // 12 steps an epoch, 2 per submit
  expect(r.same).toBe(true);
  expect(r.ticks).toBeGreaterThan(0); // this thread kept running its timers while the worker trained
  expect(r.pausedFor).toBeGreaterThanOrEqual(150);
  expect(r.probsRows).toBe(40);
  expect(r.sameAfterLoad).toBe(true);
  expect(r.onnxBytes).toBeGreaterThan(r.fileBytes / 2);
  expect(r.typedError).toBe('DatasetError train labels[3]');
  expect(r.syncError).toBe(true);
  expect(r.limitError).toMatch(/^DeviceLimitError max\w+$/);
  expect(r.aborted).toBe('stop');
  expect(r.bytesAfterDispose).toBe(0);
});

test('a ConvNet made in a worker engine (createModel) trains exactly as on this thread, saves and loads, checkpoints, resumes, inspects and profiles', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.workerConvnet());
  console.log(JSON.stringify(r));
  expect(r.same).toBe(true);
  expect(r.sameAfterLoad).toBe(true);
  expect(r.specLayers).toEqual(['conv2d', 'maxPool2d', 'flatten', 'dropout', 'dense']);
  expect(r.syncError).toBe('layers[1].type');
  expect(r.checkpointEpochs).toEqual([2, 3]); // a fit of 2 epochs: after epoch 1, and done
  expect(r.sameResumed).toBe(true);
  expect(r.inspected).toBe('4x5x6 4x2x3 24x1x1 24x1x1 3x1x1');
  expect(r.profiled).toBeGreaterThan(0);
});
