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
