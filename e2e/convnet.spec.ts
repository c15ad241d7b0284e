// A ConvNet through the public API on bundled MNIST: saved and loaded, its weights copied, checked against the
// CPU reference's forward pass and against ONNX Runtime running its ONNX export (here, in Node).
import * as ort from 'onnxruntime-web';
import { expect, test } from './fixtures';

test('a ConvNet\'s predictions survive save/load and set/getWeights, and match the reference and ONNX Runtime', async ({ harness }) => {
  test.setTimeout(180_000);
  const r = await harness.evaluate(() => window.harness.convnetRoundTrips());
  const session = await ort.InferenceSession.create(Uint8Array.from(r.onnx));
  const input = new ort.Tensor('float32', Float32Array.from(r.images, (p) => p / 255), [100, 1, 28, 28]);
  const onnxProbs = (await session.run({ input })).probabilities.data as Float32Array;
  const onnxMaxDiff = Math.max(...Array.from(onnxProbs, (p, i) => Math.abs(p - r.probs[i])));
  console.log(`ConvNet after 1 epoch: test accuracy ${(r.accuracy * 100).toFixed(2)}%; predict vs reference maxdiff=${r.referenceMaxDiff.toExponential(2)}, ` +
    `vs ONNX Runtime maxdiff=${onnxMaxDiff.toExponential(2)}; weights ${r.weightShapes}`);
  expect(r.weightShapes).toEqual([8 * 25, 6 * 8 * 9, 32 * 6 * 3 * 3, 10 * 32]);
  expect(r.fromFile).toBe(true);
  expect(r.fromWeights).toBe(true);
  expect(r.referenceMaxDiff).toBeLessThan(1e-5);
  expect(onnxMaxDiff).toBeLessThan(1e-5);
  expect(r.accuracy).toBeGreaterThan(0.5); // it learned (chance is 10%): the comparisons are of a model that works
});
