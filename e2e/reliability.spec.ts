// Failures injected on purpose, and what the engine must do about each (see e2e/harness_reliability.ts).
import { expect, test } from './fixtures';

// Step 12 is an epoch's last: the device goes after its steps and before its checkpoint, and onEpoch must still see epoch 2 once.
for (const [lossAt, checkpointEvery, resumeStep, kind] of [[6, undefined, 0, 'mlp'], [6, 4, 4, 'mlp'], [6, 4, 4, 'convnet'], [12, undefined, 0, 'mlp']] as const) {
  test(`${kind}: device destroyed at epoch 2 step ${lossAt}, checkpoints ${checkpointEvery ? `every ${checkpointEvery} steps` : 'per epoch'}: training recovers exactly`, async ({ harness }) => {
    test.setTimeout(120_000);
    const r = await harness.evaluate(([at, every, k]) => window.harness.deviceLossRecovery(at, every, k), [lossAt, checkpointEvery, kind] as const);
    console.log(`recoveries ${JSON.stringify(r.recoveries)}; epochs reported ${r.epochs}; evaluation ${JSON.stringify(r.evaluation)} then ${JSON.stringify(r.evaluationAfterLoss)}`);
    expect(r.recoveries).toHaveLength(1);
    expect(r.recoveries[0]).toMatchObject({ epoch: 2, step: resumeStep });
    expect(r.recoveries[0].reason).toMatch(/destroyed/);
    expect(r.newDevice).toBe(true);
    expect(r.historyLength).toBe(3);
    expect(r.epochs).toEqual([1, 2, 3]);
    expect(r.sameAsUninterrupted).toBe(true);
    expect(r.idleKept).toBe(true);
    expect(r.evaluationAfterLoss).toEqual(r.evaluation);
  });
}

test('device lost and no adapter to be had: DeviceLostError carries the weights from the end of epoch 1', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.deviceLossWithoutDevice());
  console.log(`${r.name}: ${r.message}`);
  expect(r.name).toBe('DeviceLostError');
  expect(r.message).toMatch(/device was lost \(destroyed.*no new device.*saved at the end of epoch 1/);
  expect(r.taken).toBe('at the end of epoch 1');
  expect(r.weightsAreEpoch1).toBe(true);
});

test('weights that overflow while the loss stays finite: DivergenceError at the checkpoint, and the last checkpoint back', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.weightsOverflow());
  console.log(`${r.name}: ${r.message}`);
  expect(r.name).toBe('DivergenceError');
  expect(r.what).toBe('the weights');
  expect(r.message).toMatch(/^the weights became NaN or infinite by epoch 1, step 1; the model kept the weights it had when initialised/);
  expect(r.keptInitial).toBe(true);
});

// The scenarios that train, for an MLP and for a ConvNet (with dropout).
for (const kind of ['mlp', 'convnet'] as const) {
  test(`${kind}: an absurd learning rate: DivergenceError names epoch and step, and the model keeps its last finite weights`, async ({ harness }) => {
    const r = await harness.evaluate((k) => window.harness.divergence(k), kind);
    console.log(`${r.name}: ${r.message}`);
    expect(r.name).toBe('DivergenceError');
    expect(r.message).toMatch(/^the loss became NaN or infinite at epoch 1, step \d+; the model kept the weights it had before step \d+ of epoch 1/);
    expect(r.epoch).toBe(1);
    expect(r.step).toBeGreaterThan(1);
    expect(r.finite).toBe(true);
    expect(r.keptBeforeStep).toBe(true);
    expect(r.usable).toBe(true);
  });

  test(`${kind}: an AbortSignal stops fit within one batch and leaves the model usable`, async ({ harness }) => {
    const r = await harness.evaluate((k) => window.harness.abortWithinOneBatch(k), kind);
    console.log(JSON.stringify(r));
    expect(r.rejection).toBe('stop now');
    expect(r.stepsSeen).toBe(3);
    expect(r.exactlyThreeSteps).toBe(true);
    expect(r.trainedAgain).toBe(1);
  });

  test(`${kind}: dispose during fit stops it with DisposedError and frees every byte`, async ({ harness }) => {
    const r = await harness.evaluate((k) => window.harness.disposeDuringFit(k), kind);
    console.log(JSON.stringify(r));
    expect(r.name).toBe('DisposedError');
    expect(r.leaked).toBe(0);
    expect(r.afterDestroy).toBe(0);
  });

  test(`${kind}: two models trained at once on one engine end as when trained one after the other`, async ({ harness }) => {
    const r = await harness.evaluate((k) => window.harness.concurrentModels(k), kind);
    expect(r.same).toEqual([true, true]);
  });
}

test('50 models (every fifth a ConvNet) created, trained and disposed: no growth in bytes held', async ({ harness }) => {
  test.setTimeout(120_000);
  const r = await harness.evaluate(() => window.harness.manyModels());
  console.log(`baseline ${r.baseline} bytes; held above it after each model: ${[...new Set(r.held)].join(', ')}; after destroy ${r.afterDestroy}`);
  expect(r.held).toHaveLength(50);
  expect(r.held.every((bytes) => bytes === 0)).toBe(true);
  expect(r.afterDestroy).toBe(0);
});

