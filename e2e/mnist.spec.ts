// MNIST end to end in headless Chromium: the bundled digits, loaded from IDX by URL, trained with a
// small seeded model, judged on the 2,000 held-out digits; the saved model predicts the same.
import { expect, test } from './fixtures';

test('a small seeded model learns the bundled MNIST digits', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.mnistRun(
    { layers: [784, 64, 10], activation: 'relu', seed: 1 },
    { epochs: 3, batchSize: 64, learningRate: 0.002, optimizer: 'adam', lrSchedule: 'cosine', seed: 1, augment: { shift: 1 } },
  ));
  console.log(`MNIST 784-64-10, 3 epochs: losses ${r.history.map((h) => h.loss.toFixed(4))}, ` +
    `test accuracy ${(r.test.accuracy * 100).toFixed(2)}% of ${r.testCount}; model file ${r.fileBytes} bytes`);
  expect(r.trainCount).toBe(8000);
  expect(r.testCount).toBe(2000);
  expect(r.test.accuracy).toBeGreaterThanOrEqual(0.9);
  expect(r.samePredictions).toBe(true);
});

test('a full-size 60,000-digit byte dataset (47 MB) uploads once, evaluates, and is freed', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.fullSizeDataset());
  console.log(`60,000 × 784 bytes = ${r.bytes} (binding limit ${r.limit}): loss ${r.result.loss}, accuracy ${r.result.accuracy}`);
  expect(r.bytes).toBe(47_040_000);
  expect(Number.isFinite(r.result.loss)).toBe(true);
  expect(r.result.accuracy).toBeGreaterThan(0.02); // random labels: about 10%, but counted over all 60,000
  expect(r.result.accuracy).toBeLessThan(0.2);
  expect(r.leaked).toBe(0);
});
