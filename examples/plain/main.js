import { createEngine, loadMnist } from 'webgpu-nn';

const status = document.querySelector('#status');
const say = (text) => (status.textContent = text);
try {
  const { train, test } = await loadMnist('../../data/mnist/', '.gz'); // the four standard IDX files
  const engine = await createEngine();
  const model = engine.createMLP({ layers: [784, 64, 10], seed: 1 });
  await model.fit(train, { epochs: 2, optimizer: 'adam', learningRate: 0.002, onEpoch: (e) => say(`Epoch ${e.epoch}: loss ${e.loss.toFixed(3)}`) });
  const { accuracy } = await model.evaluate(test);
  const probs = await model.predict(test.images.subarray(0, 784)); // the first test digit
  const digit = probs.indexOf(Math.max(...probs));
  say(`Test accuracy ${(accuracy * 100).toFixed(2)}%. The first test digit is a ${test.labels[0]}; the model says ${digit}.`);
} catch (error) {
  say(`${error.name}: ${error.message}`);
}
