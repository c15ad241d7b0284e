// A Vite + TypeScript app that imports webgpu-nn by name and trains in a Web Worker, so the page stays
// responsive: the progress bar moves while the GPU works.
import { createWorkerEngine, loadMnist, WebGPUNNError } from 'webgpu-nn';
import EngineWorker from 'webgpu-nn/worker?worker';

const button = document.querySelector<HTMLButtonElement>('#train')!;
const progress = document.querySelector<HTMLProgressElement>('#progress')!;
const status = document.querySelector<HTMLParagraphElement>('#status')!;

button.addEventListener('click', async () => {
  button.disabled = true;
  const engine = createWorkerEngine(new EngineWorker());
  try {
    status.textContent = 'Loading digits…';
    const { train, test } = await loadMnist(`${import.meta.env.BASE_URL}mnist/`, '.gz');
    const model = engine.createMLP({ layers: [784, 64, 10], activation: 'relu', seed: 1 });
    const epochs = 2;
    await model.fit(train, {
      epochs, optimizer: 'adam', learningRate: 0.002, stepsPerSubmit: 8,
      onBatch: ({ epoch, step, steps, loss }) => {
        progress.value = (epoch - 1 + step / steps) / epochs;
        status.textContent = `Epoch ${epoch}/${epochs}, loss ${loss.toFixed(3)}`;
      },
    });
    const { accuracy } = await model.evaluate(test);
    status.textContent = `Test accuracy ${(accuracy * 100).toFixed(2)}%`;
  } catch (error) {
    status.textContent = error instanceof WebGPUNNError ? `${error.name}: ${error.message}` : String(error);
  } finally {
    await engine.destroy();
    button.disabled = false;
  }
});
