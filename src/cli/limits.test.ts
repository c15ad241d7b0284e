// The spec's default limits are enough: every model the CLI presets and the demo offer trains, evaluates and
// predicts on a device requested with no requiredLimits (Dawn in Node, which holds a device to the limits it was
// given, whatever the adapter has). And a limit asked of createEngine that the adapter cannot grant is a
// DeviceLimitError before any device exists.
import { beforeAll, expect, test } from 'vitest';
import { makeModel } from '../../demo/models';
import type { Settings } from '../../demo/form';
import { createEngine, type Dataset, DeviceLimitError, type Engine, type Model, type WorkerEngine } from '../index';
import { PRESETS } from './args';
import { nodeGpu } from './node_gpu';
import { configuredModel, fitSettings } from './session';

let gpu: GPU;
let engine: Engine;
let defaults: GPUSupportedLimits;
beforeAll(async () => {
  gpu = await nodeGpu();
  const adapter = await gpu.requestAdapter();
  expect(adapter, 'the webgpu package found no adapter (is libvulkan1 installed?)').not.toBeNull();
  const device = await adapter!.requestDevice(); // no requiredLimits: the spec's defaults
  defaults = device.limits;
  engine = await createEngine({ device });
}, 60_000);

/** 128 random 28 × 28 digits of 10 classes. */
function digits(): Dataset {
  const count = 128;
  const images = Uint8Array.from({ length: count * 784 }, (_, i) => (Math.imul(i, 2654435761) >>> 24) & (i % 3 === 0 ? 255 : 0));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, features: 784, imageShape: [28, 28] };
}

async function trainsOnDefaults(model: Model, fit: Parameters<Model['fit']>[1]) {
  const data = digits();
  const [epoch] = await model.fit(data, { ...fit, epochs: 1, validation: undefined });
  const { accuracy } = await model.evaluate(data);
  const probabilities = await model.predict(data.images.subarray(0, 784));
  await model.dispose();
  return { loss: epoch.loss, accuracy, probabilities };
}

test('the device holds the spec defaults, not the adapter\'s larger limits', () => {
  expect(defaults.maxStorageBufferBindingSize).toBe(134217728);
  expect(defaults.maxStorageBuffersPerShaderStage).toBe(8);
  expect(defaults.maxComputeWorkgroupStorageSize).toBe(16384);
});

for (const [name, config] of Object.entries(PRESETS)) {
  test(`npm run train -- --preset ${name} trains on the default limits`, async () => {
    const r = await trainsOnDefaults(configuredModel(engine, config, digits()), fitSettings(config));
    console.log(`preset ${name}: loss ${r.loss.toFixed(4)}, accuracy ${r.accuracy}`);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  }, 300_000);
}

const DEMO: Settings = { model: 'mlp', hidden: [128], activation: 'relu', layers: 'conv5x5x8+relu,maxpool2,flatten,dense10',
  optimizer: 'adam', lr: 0.002, batch: 64, epochs: 1, l2: 0, seed: 1, augment: true }; // demo/index.html's defaults
for (const model of ['mlp', 'convnet', 'custom'] as const) {
  test(`the demo's ${model} trains on the default limits`, async () => {
    const made = makeModel(engine as unknown as WorkerEngine, { ...DEMO, model }, { features: 784, imageShape: [28, 28], classes: 10 });
    if ('problem' in made) throw new Error(made.problem);
    const r = await trainsOnDefaults(made.model as unknown as Model, { batchSize: DEMO.batch, learningRate: DEMO.lr, optimizer: DEMO.optimizer, augment: { shift: 2, rotate: 10 } });
    console.log(`demo ${model}: loss ${r.loss.toFixed(4)}, accuracy ${r.accuracy}`);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  }, 300_000);
}

test('a required limit the adapter cannot grant is a DeviceLimitError naming it, before any device exists', async () => {
  const adapter = (await gpu.requestAdapter())!;
  const most = adapter.limits.maxStorageBuffersPerShaderStage;
  const error = await createEngine({ gpu, requiredLimits: { maxStorageBuffersPerShaderStage: most + 1 } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DeviceLimitError);
  expect((error as DeviceLimitError).limit).toBe('maxStorageBuffersPerShaderStage');
  expect((error as DeviceLimitError).limitValue).toBe(most);
  expect((error as Error).message).toBe(`requiredLimits.maxStorageBuffersPerShaderStage is ${most + 1} but this adapter grants at most ${most}. Hint: ask for less, or use another adapter.`);
  const alignment = await createEngine({ gpu, requiredLimits: { minStorageBufferOffsetAlignment: adapter.limits.minStorageBufferOffsetAlignment / 2 } }).catch((e: unknown) => e);
  expect(alignment).toBeInstanceOf(DeviceLimitError); // min… limits: smaller is more
  const granted = await createEngine({ gpu, requiredLimits: { maxStorageBuffersPerShaderStage: most } });
  expect(granted.gpu.device.limits.maxStorageBuffersPerShaderStage).toBe(most);
  granted.destroy();
});
