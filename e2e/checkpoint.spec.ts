// Checkpoints and resuming a fit (see e2e/harness_checkpoint.ts), and reading a model while it trains.
import { expect, test } from './fixtures';

const CASES = {
  abort: 'by its signal mid-epoch', end: 'by its signal after an epoch\'s last step', epoch: 'and resumed from an epoch\'s checkpoint',
  quiet: 'without onBatch and resumed from an epoch\'s checkpoint',
};
// quiet: stopped from onEpoch, after the epoch's end checkpoint; the first submit of epoch 2 (2 steps) is in flight.
const STOPS = { abort: { epoch: 2, step: 6 }, end: { epoch: 2, step: 12 }, epoch: { epoch: 2, step: 2 }, quiet: { epoch: 2, step: 2 } };
const CHECKPOINTED = [['mlp', 'abort'], ['mlp', 'end'], ['mlp', 'epoch'], ['mlp', 'quiet'], ['convnet', 'abort'], ['convnet', 'epoch'],
  ['batchnorm', 'abort'], ['batchnorm', 'epoch'], ['batchnorm', 'quiet']] as const;
for (const [kind, how] of CHECKPOINTED) {
  test(`${kind}: a fit stopped ${CASES[how]} ends bit for bit as an uninterrupted one`, async ({ harness }) => {
    const r = await harness.evaluate(([k, h]) => window.harness.resumeExactly(k, h), [kind, how] as const);
    console.log(JSON.stringify(r));
    expect(r.stopError).toBe('stop');
    expect(r.epochsSeen).toEqual([1]);
    expect(r.checkpointsAt).toEqual([{ epoch: 2, step: 0 }, STOPS[how]]);
    expect(r.from).toEqual(how === 'epoch' || how === 'quiet' ? { epoch: 2, step: 0 } : STOPS[how]);
    expect(r.resumedEpochs).toEqual([2, 3]);
    expect(r.historyLength).toBe(3);
    expect(r.same).toBe(true);
    expect(r.sameHistory).toBe(true);
    expect(r.loadedDiffers).toBe(true); // the checkpoint's weights are those of its moment, not the end's
    if (kind === 'batchnorm') expect(r.tensors).toContain('layers.5.running_var'); // compared with the weights
  });
}

test('bad checkpoints are refused with typed errors naming what is wrong, and the model keeps its weights', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.badCheckpoints());
  console.log(JSON.stringify(r, null, 1));
  expect(r.results.truncated).toMatch(/^ModelFormatError resumeFrom: /);
  expect(r.results['epoch out of range']).toMatch(/^ModelFormatError resumeFrom: .*epoch 7 step 0, outside a fit of 1 epochs/);
  expect(r.results['a model file']).toMatch(/^ModelFormatError resumeFrom: .*not a checkpoint/);
  expect(r.results['other options']).toMatch(/^ArgumentError resumeFrom: .*learningRate 0\.01.*learningRate 0\.02/);
  expect(r.results['more data']).toMatch(/^ArgumentError resumeFrom: .*on 90 training samples.*on these 108 training samples/);
  expect(r.results['other labels']).toMatch(/^ArgumentError resumeFrom: .*other training labels/);
  expect(r.results['not bytes']).toMatch(/^ArgumentError resumeFrom: /);
  expect(r.results['other architecture']).toMatch(/^ArgumentError resumeFrom: .*20-16-4 MLP.*20-12-4 MLP/);
  expect(r.kept).toBe(true);
});

test('getWeights and inspect answer during a fit; inspect\'s layer outputs match the reference', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.peekDuringFit());
  console.log(JSON.stringify(r));
  expect(r.seen.length).toBe(1);
  expect(r.seen[0]).toMatchObject({ epoch: 1, step: 4, changed: true, layers: 'conv2d 4x4x5, maxPool2d 4x2x2, activation 4x2x2, flatten 16x1x1, dense 4x1x1' });
  expect(r.seen[0].probabilities).toBeCloseTo(1, 5);
  console.log(`inspect vs reference maxdiff=${r.mapDiff.toExponential(2)} (tol 1e-5); probabilities vs predict ${r.probabilityDiff}`);
  expect(r.mapDiff).toBeLessThanOrEqual(1e-5);
  expect(r.softmaxDiff).toBeLessThanOrEqual(1e-6);
  expect(r.probabilityDiff).toBe(0);
  expect(r.badInput).toBe('DatasetError');
});

test('onProfile times every op of a training step now and then, and changes no weight; without timestamp-query it says so once', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.profiledFit());
  console.log(JSON.stringify(r));
  expect(r.same).toBe(true);
  expect(r.timestamps, 'the test browser runs with timestamp-query').toBe(true);
  expect(r.profiles).toBeGreaterThanOrEqual(2);
  if (!r.first.supported) throw new Error(`no profile: ${r.first.reason}`);
  const ops = r.first.ops.map((o) => o.op);
  expect(ops[0]).toBe('gather');
  expect(ops).toContain('update');
  expect(ops.some((op) => /^layers\[0\]\./.test(op))).toBe(true);
  expect(r.first.ops.every((o) => o.ms >= 0 && Number.isFinite(o.ms))).toBe(true);
  expect(r.first.ops.reduce((sum, o) => sum + o.ms, 0)).toBeGreaterThan(0);
  expect(r.without).toEqual([{ supported: false, reason: 'this adapter has no timestamp-query' }]);
});
