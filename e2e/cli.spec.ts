// `npm run train` as a person runs it: bad options and data stop with a clear message and a non-zero
// status; a short run prints progress, test accuracy and the per-class table and writes a loadable model;
// Ctrl-C (SIGINT) stops it cleanly and still writes the model.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { decodeSafetensors } from '../src/data/safetensors';
import { SWIFTSHADER_ICD } from '../src/cli/node_gpu';

function train(args: string[], onOutput?: (text: string, child: ChildProcess) => void, env: Record<string, string> = {}): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', ['scripts/run.mjs', 'src/cli/train.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      onOutput?.(out, child);
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

/** `npm run train` with `args`, sent Ctrl-C (SIGINT) once it has printed the line of epoch 1. */
function interruptedAfterEpoch1(args: string[]) {
  let sent = false;
  return train(args, (text, child) => {
    if (!sent && /epoch +1\/\d+ /.test(text)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
}

/** A model file's metadata, and each layer's [in, out] from its dense weights (out, in). (Plain Node here: no shaders to load.) */
function savedModel(path: string) {
  const { tensors, metadata } = decodeSafetensors(path, new Uint8Array(readFileSync(path)));
  const layers = [...tensors.keys()].filter((name) => name.endsWith('.weight')).sort().map((name) => [...tensors.get(name)!.shape].reverse());
  return { metadata, layers, tensors };
}

test('bad options exit 2 and name the option', async () => {
  const r = await train(['--lr', '-1']);
  expect(r.status).toBe(2);
  expect(r.err).toContain('error: --lr -1: expected a positive number');
});

test('a data folder without the IDX files exits 2 and lists what is missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodata-'));
  const r = await train(['--data', dir]);
  expect(r.status).toBe(2);
  expect(r.err).toMatch(/--data .*: missing train-images-idx3-ubyte\[\.gz\], train-labels-idx1-ubyte\[\.gz\]/);
});

test('a truncated IDX file exits 1 naming the file and field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baddata-'));
  const bundled = 'data/mnist';
  for (const name of ['train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
    writeFileSync(join(dir, name), readFileSync(join(bundled, name)));
  }
  const header = new Uint8Array(16 + 100);
  new DataView(header.buffer).setUint32(0, 2051);
  new DataView(header.buffer).setUint32(4, 8000);
  new DataView(header.buffer).setUint32(8, 28);
  new DataView(header.buffer).setUint32(12, 28);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), header);
  const r = await train(['--data', dir]);
  expect(r.status).toBe(1);
  expect(r.err).toMatch(/DataFormatError: .*train-images-idx3-ubyte: data is truncated: 8000 images of 28 × 28 needs 6272000 bytes, the file has 100/);
});

test('a short run reports every epoch, the test accuracy and classes, and writes a model', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'model-')), 'm.safetensors');
  const r = await train(['--layers', '784,16,10', '--epochs', '2', '--augment', 'off', '--out', out]);
  console.log(r.out);
  expect(r.status, r.err).toBe(0);
  expect(r.out).toMatch(/epoch 1\/2 {2}loss \d+\.\d{4} {2}train \d+\.\d\d% {2}val \d+\.\d\d% {2}[\d,]+ samples\/s {2}elapsed \d+:\d\d {2}remaining \d+:\d\d/);
  expect(r.out).toMatch(/test accuracy (\d+\.\d\d)% \(\d+\/2000\)/);
  expect(Number(/test accuracy (\d+\.\d\d)%/.exec(r.out)![1])).toBeGreaterThan(80);
  expect(r.out.split('\n').filter((line) => /^ {4}\d {8}/.test(line))).toHaveLength(10);
  const model = savedModel(out);
  expect(model.layers).toEqual([[784, 16], [16, 10]]);
  expect(JSON.parse(model.metadata.training).epochs).toBe(2);
  // With no --runtime, the CLI picks the fastest it finds and says which: Deno on a GPU or lavapipe (the adapter
  // it then trains on), else the browser on SwiftShader (no GPU, and no lavapipe or one older than Mesa 25).
  const picked = /^runtime: (deno \(wgpu\) on (.+), the fastest found|browser \(Chromium, on its SwiftShader\): (Deno found no GPU or lavapipe|lavapipe implements Vulkan [\d.]+, so it is older than Mesa 25))/m.exec(r.out);
  expect(picked, 'the CLI says which runtime it picked').not.toBeNull();
  if (picked![2]) expect(r.out).toContain(`webgpu-nn on ${picked![2]}:`);
  else expect(r.out).toMatch(/^webgpu-nn on google swiftshader/m);
});

test('Ctrl-C stops after the current batches and still writes the model', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'model-')), 'stopped.safetensors');
  const r = await interruptedAfterEpoch1(['--layers', '784,16,10', '--epochs', '50', '--out', out]);
  expect(r.status).toBe(130);
  expect(r.out).toContain('stopping after the current batches');
  expect(r.out).toMatch(/stopped early; test accuracy/);
  expect(r.out).not.toMatch(/epoch 50\/50/);
  expect(existsSync(out)).toBe(true);
});

test('Ctrl-C, then --resume from --checkpoint: the same weights as a run that was never stopped', async () => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'resume-'));
  const args = ['--layers', '784,16,10', '--epochs', '3', '--validation', '0.05'];
  const whole = await train([...args, '--out', join(dir, 'whole.safetensors')]);
  expect(whole.status, whole.err).toBe(0);
  const stopped = await interruptedAfterEpoch1([...args, '--checkpoint', join(dir, 'ck.safetensors')]);
  console.log(stopped.out);
  expect(stopped.status, stopped.err).toBe(130);
  const where = /wrote .*ck\.safetensors: --resume .* continues at step (\d+) of epoch (\d+)/.exec(stopped.out);
  expect(where, 'the stop writes a checkpoint and says where it resumes').not.toBeNull();
  expect(Number(where![2])).toBeGreaterThanOrEqual(2);
  const resumed = await train([...args, '--resume', join(dir, 'ck.safetensors'), '--out', join(dir, 'resumed.safetensors')]);
  console.log(resumed.out);
  expect(resumed.status, resumed.err).toBe(0);
  expect(resumed.out).toMatch(/epoch 3\/3 /);
  const [a, b] = [savedModel(join(dir, 'whole.safetensors')), savedModel(join(dir, 'resumed.safetensors'))];
  for (const [name, tensor] of a.tensors) expect(Buffer.from(b.tensors.get(name)!.data.buffer).equals(Buffer.from(tensor.data.buffer)), name).toBe(true);
  const accuracy = (out: string) => /test accuracy (\d+\.\d\d)%/.exec(out)![1];
  expect(accuracy(resumed.out)).toBe(accuracy(whole.out));

  const other = await train([...args, '--epochs', '4', '--resume', join(dir, 'ck.safetensors')]);
  expect(other.status).toBe(1);
  expect(other.err).toMatch(/error: --resume .*ck\.safetensors: it is "a checkpoint of a fit with epochs 3"; expected a checkpoint of a fit with these options \(epochs 4\)/);
  const model = await train([...args, '--resume', join(dir, 'whole.safetensors')]);
  expect(model.status).toBe(1);
  expect(model.err).toMatch(/error: --resume .*whole\.safetensors: has no __metadata__\.checkpoint: it is a model file, not a checkpoint/);
  const missing = await train([...args, '--resume', join(dir, 'none.safetensors')]);
  expect(missing.status).toBe(2);
  expect(missing.err).toMatch(/error: --resume .*none\.safetensors: no such file/);
});

for (const runtime of ['node', 'deno']) {
  test(`--runtime ${runtime}: Ctrl-C with --checkpoint, then --resume, ends as a run never stopped`, async () => {
    test.setTimeout(240_000);
    const dir = mkdtempSync(join(tmpdir(), `resume-${runtime}-`));
    const args = ['--runtime', runtime, '--layers', '784,16,10', '--epochs', '3'];
    const whole = await train([...args, '--out', join(dir, 'whole.safetensors')]);
    expect(whole.status, whole.err).toBe(0);
    const stopped = await interruptedAfterEpoch1([...args, '--checkpoint', join(dir, 'ck.safetensors')]);
    expect(stopped.status, stopped.err).toBe(130);
    expect(stopped.out).toMatch(/--resume .*ck\.safetensors continues at step \d+ of epoch [23]/);
    const resumed = await train([...args, '--resume', join(dir, 'ck.safetensors'), '--out', join(dir, 'resumed.safetensors')]);
    expect(resumed.status, resumed.err).toBe(0);
    expect(readFileSync(join(dir, 'resumed.safetensors')).equals(readFileSync(join(dir, 'whole.safetensors')))).toBe(true);
  });
}

test('--runtime node trains in the Node process (the webgpu package), with no browser', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'model-')), 'node.safetensors');
  const r = await train(['--runtime', 'node', '--layers', '784,16,10', '--epochs', '2', '--augment', 'off', '--out', out]);
  console.log(r.out);
  expect(r.status, r.err).toBe(0);
  expect(r.out).toMatch(/^webgpu-nn on .+: 784-16-10 relu/m);
  expect(r.out).toMatch(/epoch 2\/2 /);
  expect(Number(/test accuracy (\d+\.\d\d)% \(\d+\/2000\)/.exec(r.out)![1])).toBeGreaterThan(80);
  expect(savedModel(out).layers).toEqual([[784, 16], [16, 10]]);
});

test('--preset cnn trains jax-js\'s ConvNet with batch norm: past 90% test accuracy after one epoch, and a model file of its tensors', async () => {
  test.setTimeout(180_000);
  const out = join(mkdtempSync(join(tmpdir(), 'model-')), 'cnn.safetensors');
  const r = await train(['--preset', 'cnn', '--epochs=1', `--out=${out}`]);
  console.log(r.out);
  expect(r.status, r.err).toBe(0);
  expect(r.out).toMatch(/^webgpu-nn on .+: conv5x5x24,maxpool2,batchnorm\+relu,conv3x3x32,maxpool2,batchnorm\+relu,flatten,dense128\+relu,dropout0\.3,dense10, adam lr 0\.002/m);
  expect(Number(/test accuracy (\d+\.\d\d)% \(\d+\/2000\)/.exec(r.out)![1])).toBeGreaterThan(90); // seed 1 measured 93.40%
  const model = savedModel(out);
  expect([...model.tensors.entries()].map(([name, t]) => `${name} ${t.shape}`).sort()).toEqual([
    'layers.0.bias 24', 'layers.0.weight 24,1,5,5', 'layers.2.bias 24', 'layers.2.running_mean 24', 'layers.2.running_var 24', 'layers.2.weight 24',
    'layers.3.bias 32', 'layers.3.weight 32,24,3,3', 'layers.5.bias 32', 'layers.5.running_mean 32', 'layers.5.running_var 32', 'layers.5.weight 32',
    'layers.7.bias 128', 'layers.7.weight 128,800', 'layers.9.bias 10', 'layers.9.weight 10,128',
  ]);
  expect(JSON.parse(model.metadata.architecture).layers[0]).toEqual({ type: 'conv2d', filters: 24, kernelSize: [5, 5], stride: [1, 1], padding: 'valid', activation: 'identity' });
});

test('a layer list that does not fit the images exits 2 naming the layer, before anything starts', async () => {
  const r = await train(['--layers', 'conv5x5x8,maxpool2,conv13x13x4,flatten,dense10']);
  expect(r.status).toBe(2);
  expect(r.err).toContain("error: --layers: layer 3, 'conv13x13x4', on 28 × 28 images: kernelSize is [13, 13]; expected at most the padded input's 12 × 12");
  const syntax = await train(['--layers=conv5x5,flatten,dense10']);
  expect(syntax.status).toBe(2);
  expect(syntax.err).toContain("error: --layers: layer 1, 'conv5x5': expected conv<KH>x<KW>x<FILTERS>, e.g. conv5x5x24");
});

test('--runtime node trains a ConvNet too', async () => {
  test.setTimeout(180_000);
  const r = await train(['--runtime', 'node', '--layers', 'maxpool2,conv3x3x8+relu,maxpool2,flatten,dropout0.1,dense10', '--epochs', '2', '--augment', 'off', '--lr', '0.003']);
  console.log(r.out);
  expect(r.status, r.err).toBe(0);
  expect(r.out).toMatch(/^webgpu-nn on .+: maxpool2,conv3x3x8\+relu,maxpool2,flatten,dropout0\.1,dense10, adam/m);
  expect(Number(/test accuracy (\d+\.\d\d)% \(\d+\/2000\)/.exec(r.out)![1])).toBeGreaterThan(85);
});

test('--runtime with an unknown value exits 2', async () => {
  const r = await train(['--runtime', 'firefox']);
  expect(r.status).toBe(2);
  expect(r.err).toContain('error: --runtime firefox: expected auto, browser, node or deno');
});

test('--runtime deno trains in Deno (wgpu); on the same driver, its model is the one Chromium\'s run writes', async () => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'model-deno-'));
  const args = ['--layers', '784,16,10', '--epochs', '2', '--augment', 'off'];
  const r = await train(['--runtime', 'deno', ...args, '--out', join(dir, 'deno.safetensors')], undefined, { VK_ICD_FILENAMES: SWIFTSHADER_ICD });
  console.log(r.out);
  expect(r.status, r.err).toBe(0);
  expect(r.out).toMatch(/^webgpu-nn on .+: 784-16-10 relu/m);
  expect(r.out).toMatch(/epoch 2\/2 /);
  expect(Number(/test accuracy (\d+\.\d\d)% \(\d+\/2000\)/.exec(r.out)![1])).toBeGreaterThan(80);
  const chromium = await train(['--runtime', 'browser', ...args, '--out', join(dir, 'chromium.safetensors')]);
  expect(chromium.status, chromium.err).toBe(0);
  const [a, b] = [savedModel(join(dir, 'deno.safetensors')), savedModel(join(dir, 'chromium.safetensors'))];
  expect(a.layers).toEqual([[784, 16], [16, 10]]);
  let largest = 0;
  for (const [name, tensor] of a.tensors) largest = Math.max(largest, ...Array.from(tensor.data, (v, i) => Math.abs(v - b.tensors.get(name)!.data[i])));
  console.log(`largest weight difference, Deno (wgpu) vs Chromium (Dawn), both on SwiftShader, after 2 seeded epochs: ${largest.toExponential(2)}`);
  expect(largest).toBe(0); // the same seeded run on the same driver, bit for bit: only the WGSL compilers differ
});
