// The typed errors a user can meet, each scenario through the public API: what was thrown, and whether the
// model it was thrown on kept its weights. e2e/errors.spec.ts runs every scenario by name.

import { createEngine, type Engine, loadIdx, type MLPOptions } from '../src/index';
import { getEngine, MNIST, randomDataset } from './harness_model';

/**
 * Runs `scenario` and reports the error it threw (or that it threw none), and for scenarios on a model
 * whether its weights after the error were still those from before the call.
 */
export async function errorCase(scenario: string): Promise<{ name: string; message: string; argument?: string; unchanged?: boolean }> {
  unchanged = undefined;
  try {
    await scenarios[scenario]();
    return { name: 'none', message: 'no error thrown' };
  } catch (error) {
    const e = error as Error & { argument?: string };
    return { name: e.name, message: e.message, argument: e.argument, unchanged };
  }
}

let unchanged: boolean | undefined;
const small: MLPOptions = { layers: [4, 3, 2] };
const withModel = async (f: (mlp: ReturnType<Engine['createMLP']>) => Promise<unknown>) => {
  const mlp = (await getEngine()).createMLP(small);
  await mlp.fit(tiny(), { epochs: 1, batchSize: 4 }); // trained weights, and a plan and optimizer state
  const before = await mlp.getWeights();
  try {
    return await f(mlp);
  } finally {
    const after = await mlp.getWeights();
    const flat = (w: typeof before) => [...w.weights, ...w.biases].flatMap((x) => Array.from(x));
    unchanged = flat(before).every((x, i) => x === flat(after)[i]);
    mlp.dispose();
  }
};
const tiny = () => randomDataset(8, 4, 2, 1);

const scenarios: Record<string, () => Promise<unknown>> = {
  oneLayer: async () => (await getEngine()).createMLP({ layers: [784] }),
  fractionalSize: async () => (await getEngine()).createMLP({ layers: [784, 12.5, 10] }),
  zeroSize: async () => (await getEngine()).createMLP({ layers: [784, 0, 10] }),
  unknownActivation: async () => (await getEngine()).createMLP({ layers: [4, 2], activation: 'swish' as never }),
  unknownLoss: async () => (await getEngine()).createMLP({ layers: [4, 2], loss: 'hinge' as never }),
  unknownOptimizer: () => withModel((m) => m.fit(tiny(), { optimizer: 'rmsprop' as never })),
  nanLearningRate: () => withModel((m) => m.fit(tiny(), { learningRate: NaN })),
  negativeLearningRate: () => withModel((m) => m.fit(tiny(), { learningRate: -0.1 })),
  imagesLengthMismatch: () => withModel((m) => m.fit({ ...tiny(), images: new Uint8Array(31) })),
  labelsLengthMismatch: () => withModel((m) => m.fit({ ...tiny(), labels: new Uint8Array(7) })),
  zeroLengthDataset: () => withModel((m) => m.fit({ images: new Uint8Array(0), labels: new Uint8Array(0), count: 0, features: 4 })),
  batchSizeZero: () => withModel((m) => m.fit(tiny(), { batchSize: 0 })),
  batchLargerThanDataset: () => withModel((m) => m.fit(tiny(), { batchSize: 9 })),
  nanImage: () => withModel((m) => m.fit({ ...tiny(), images: Float32Array.from({ length: 32 }, (_, i) => (i === 5 ? NaN : 0.5)) })),
  infiniteImage: () => withModel((m) => m.evaluate({ ...tiny(), images: Float32Array.from({ length: 32 }, (_, i) => (i === 30 ? -Infinity : 0.5)) })),
  notAnAbortSignal: () => withModel((m) => m.fit(tiny(), { signal: 'stop' as never })),
  labelOutOfRange: () => withModel((m) => m.fit({ ...tiny(), labels: Uint8Array.from([0, 1, 0, 1, 2, 0, 1, 0]) })),
  featuresMismatch: () => withModel((m) => m.evaluate(randomDataset(8, 5, 2, 1))),
  tooLargeForDevice: async () => (await getEngine()).createMLP({ layers: [200_000, 200_000, 10] }),
  batchTooLargeForDevice: () => withModel((m) => m.fit(tiny(), { batchSize: 10_000_000 })),
  setWeightsWrongShape: () => withModel(async (m) => {
    const { weights, biases } = await m.getWeights();
    await m.setWeights({ weights: [weights[0], new Float32Array(5)], biases });
  }),
  swappedIdxFiles: () => loadIdx(`${MNIST}t10k-labels-idx1-ubyte.gz`, `${MNIST}t10k-images-idx3-ubyte.gz`),
  missingIdxFile: () => loadIdx(`${MNIST}nope-images.gz`, `${MNIST}t10k-labels-idx1-ubyte.gz`),
  hostileModelFile: async () => {
    const engine = await getEngine();
    const header = new TextEncoder().encode('{"layers.0.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,4096]}}');
    const bytes = new Uint8Array(8 + header.length + 16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    await engine.loadModel(bytes);
  },
  augmentWithoutImageShape: () => withModel((m) => m.fit(tiny(), { augment: { shift: 1 } })),
  convKernelTooLarge: async () => (await getEngine()).createModel({ input: [1, 8, 8], layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'maxPool2d', size: 2 }, { type: 'conv2d', filters: 4, kernelSize: 5 }, { type: 'flatten' }, { type: 'dense', units: 2 }] }),
  denseOnImages: async () => (await getEngine()).createModel({ input: [1, 8, 8], layers: [{ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'dense', units: 2 }] }),
  convAfterFlatten: async () => (await getEngine()).createModel({ input: [1, 8, 8], layers: [{ type: 'flatten' }, { type: 'conv2d', filters: 2, kernelSize: 1 }, { type: 'dense', units: 2 }] }),
  dropoutRateOne: async () => (await getEngine()).createModel({ input: [4, 1, 1], layers: [{ type: 'dropout', rate: 1 }, { type: 'dense', units: 2 }] }),
  unknownLayerType: async () => (await getEngine()).createModel({ input: [4, 1, 1], layers: [{ type: 'lstm' } as never, { type: 'dense', units: 2 }] }),
  lastLayerNotDense: async () => (await getEngine()).createModel({ input: [1, 4, 4], layers: [{ type: 'flatten' }, { type: 'dense', units: 3 }, { type: 'activation', activation: 'relu' }] }),
  inputNotThreeIntegers: async () => (await getEngine()).createModel({ input: [28, 28] as never, layers: [{ type: 'flatten' }, { type: 'dense', units: 2 }] }),
  convFeaturesMismatch: async () => {
    const model = (await getEngine()).createModel({ input: [1, 6, 6], layers: [{ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', units: 2 }] });
    try {
      await model.fit(randomDataset(8, 35, 2, 1));
    } finally {
      model.dispose();
    }
  },
  convTooLargeForDevice: async () => (await getEngine()).createModel({ input: [2, 16384, 16384], layers: [{ type: 'maxPool2d', size: 16384 }, { type: 'flatten' }, { type: 'dense', units: 2 }] }),
  convFileMismatch: async () => {
    const engine = await getEngine();
    const model = engine.createModel({ input: [1, 6, 6], layers: [{ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', units: 2 }] });
    const file = await model.save();
    model.dispose();
    // The same file, its layer list claiming 3 filters (one byte of the ASCII header): its tensors no longer fit.
    const header = new TextDecoder().decode(file.subarray(8, 8 + Number(new DataView(file.buffer).getBigUint64(0, true))));
    const key = '\\"filters\\":'; // inside the architecture's JSON string
    const edited = file.slice();
    edited[8 + header.indexOf(`${key}2`) + key.length] = '3'.charCodeAt(0);
    await engine.loadModel(edited);
  },
  disposedModel: async () => {
    const mlp = (await getEngine()).createMLP(small);
    mlp.dispose();
    await mlp.predict(new Float32Array(4));
  },
  noWebGPU: async () => {
    Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
    await createEngine();
  },
};
export const scenarioNames = Object.keys(scenarios);
