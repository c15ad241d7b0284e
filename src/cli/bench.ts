// `npm run bench`: webgpu-nn against TensorFlow.js in one headless Chromium, same data, model, batch, SGD and
// initial weights: MLPs (tfjs webgpu and wasm backends), then jax-js's ConvNet (tfjs webgpu, webgl and cpu;
// wasm cannot train it), each also against jax-js's devices; webgpu-nn against jax-js's webgpu and wasm again in
// alternating rounds (the ratios its targets are set in); per-op profiles of a training step, what fit's live
// profile costs, and matmul and convolution micro-benchmarks.
// Then the same small benchmark in every runtime and driver it finds: Chromium, Node (Dawn), Deno (wgpu) on
// SwiftShader and, where Deno finds one through Vulkan, on a GPU or lavapipe.
// Prints a markdown report and writes it to BENCHMARKS.md. `--quick` runs only the small configurations.

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { withPage } from './browser';
import type { TrainingCase, TrainingResult, Workload } from './bench_page';
import { CONVNET_NAME, type ConvNetCase, type ConvShape } from './bench_convnet';
import { prepareBundledMnist } from './prepare_mnist';
import { dataFiles } from './train';
import { type RuntimeBench, runtimeBench } from './bench_runtime';
import { bundleForDeno, denoVulkanAdapter, startDeno } from './deno';
import { lines, MARK } from './wire';
import { slowLavapipe } from './lavapipe';
import { pairedRatios, type Spread, spread } from './rounds';
import { nodeGpu, SWIFTSHADER_ICD } from './node_gpu';
import { createEngine, loadIdx } from '../index';
import { MNIST_FILES } from '../data/mnist';

const CASES: TrainingCase[] = [
  { layers: [784, 128, 10], batch: 64, samples: 8000, epochs: 1, jax: true },
  { layers: [784, 128, 10], batch: 512, samples: 8000, epochs: 1, jax: true },
  { layers: [784, 1024, 1024, 10], batch: 256, samples: 2048, epochs: 1, jax: false },
];
// TensorFlow.js trains the ConvNet at a few dozen samples/s here: a fixed, small number of steps each.
const CONVNET_CASES: ConvNetCase[] = [{ batch: 64, warmup: 2, steps: 8, jax: true }, { batch: 256, warmup: 1, steps: 2, jax: false }];
/** The workloads of jax-js's targets, in alternating rounds: the MLP cases and the ConvNet case above that jax-js trains. */
const HEAD_TO_HEAD: [string, Workload][] = [
  ...CASES.filter((c) => c.jax).map((c): [string, Workload] => [`MLP ${c.layers.join('-')}, batch ${c.batch}`, { mlp: c }]),
  ...CONVNET_CASES.filter((c) => c.jax).map((c): [string, Workload] => [`ConvNet, batch ${c.batch}`, { convnet: c }]),
];
const ROUNDS = 5;
const CONVOLUTIONS: ConvShape[] = [{ input: [1, 28, 28], filters: 24, kernel: 5 }, { input: [24, 12, 12], filters: 32, kernel: 3 }];
const MATMULS: [number, number, number][] = [[128, 128, 128], [256, 256, 256], [512, 512, 512], [64, 784, 128], [256, 784, 1024], [256, 1024, 1024]];

/**
 * The runtime benchmark (bench_runtime.ts) in every runtime and driver found, beside Chromium's row (`rows`): Node
 * on the webgpu package's adapter, Deno on SwiftShader, and Deno through Vulkan alone where that finds a GPU or a
 * lavapipe from Mesa 25 on (an older lavapipe trains slower than SwiftShader: the report says so and skips it).
 */
async function everyRuntime(files: Map<string, string>, say: (line: string) => void, rows: [string, RuntimeBench][]): Promise<void> {
  const [images, labels] = [files.get(MNIST_FILES.trainImages)!, files.get(MNIST_FILES.trainLabels)!];
  // Before nodeGpu, which may point VK_ICD_FILENAMES at SwiftShader for Dawn: Deno through Vulkan gets the drivers back.
  const vulkan = denoVulkanAdapter();
  const driverFiles = process.env.VK_ICD_FILENAMES;
  const engine = await createEngine({ gpu: await nodeGpu() });
  rows.push(['node (Dawn)', await runtimeBench(engine, await loadIdx(new File([readFileSync(images)], images), new File([readFileSync(labels)], labels)))]);
  engine.destroy();
  if (driverFiles === undefined) delete process.env.VK_ICD_FILENAMES;
  else process.env.VK_ICD_FILENAMES = driverFiles;
  const script = await bundleForDeno('src/cli/bench_runtime_deno.ts');
  const runs: [string, Record<string, string>][] = [['deno (wgpu)', { VK_ICD_FILENAMES: SWIFTSHADER_ICD }]];
  const notes: string[] = []; // said under the table
  const slow = vulkan && slowLavapipe(vulkan);
  if (slow) notes.push(`Deno through Vulkan found ${vulkan}; not run: ${slow}.`);
  else if (vulkan) runs.push(['deno (wgpu)', { DENO_WEBGPU_BACKEND: 'vulkan' }]);
  for (const [runtime, env] of runs) {
    const deno = startDeno(script, [`--allow-read=${[script, images, labels].map((path) => resolve(path)).join(',')}`, '--allow-env'], env, [images, labels]);
    let answer: RuntimeBench | undefined;
    for await (const line of lines(deno.stdout)) if (line.startsWith(MARK)) answer = JSON.parse(line.slice(MARK.length)) as RuntimeBench;
    if (answer) rows.push([runtime, answer]);
    else notes.push(`${runtime} with ${JSON.stringify(env)} gave no result.`);
  }
  const [, base] = rows[0];
  const times = (x: number, y: number) => `${Math.round(x).toLocaleString('en-US')} (${(x / y).toFixed(1)}×)`;
  say('\n## Every runtime and driver found (bench_runtime.ts: batch 64, SGD; first step includes compiling and the autotune)\n');
  say(`| runtime | adapter | 784-128-10 samples/s | its first step | ${CONVNET_NAME} samples/s | its first step | matmul 512³ GFLOP/s |`);
  say('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [runtime, r] of rows) {
    say(`| ${runtime} | ${r.adapter} | ${times(r.mlp.samplesPerSecond, base.mlp.samplesPerSecond)} | ${Math.round(r.mlp.firstStepMs)} ms | ` +
      `${times(r.convnet.samplesPerSecond, base.convnet.samplesPerSecond)} | ${Math.round(r.convnet.firstStepMs)} ms | ${r.matmulGflops.toFixed(2)} |`);
  }
  if (notes.length > 0) say(`\n${notes.join(' ')}`);
  say('\nThe 784-128-10 MLP\'s training step op by op, wall-clock ms (each op 100 times in one pass; so is the whole step,');
  say('whose ops overlap a little):\n');
  say(`| op | ${rows.map(([runtime, r]) => `${runtime}, ${r.adapter}`).join(' | ')} |`);
  say(`| --- |${rows.map(() => ' ---: |').join('')}`);
  const ops = [...new Set(rows.flatMap(([, r]) => r.mlpProfile.map((p) => p.op)))]; // tiled products need no input masks
  const ms = (r: RuntimeBench, op: string) => r.mlpProfile.find((p) => p.op === op)?.ms.toFixed(3) ?? '-';
  for (const op of ops) say(`| ${op} | ${rows.map(([, r]) => ms(r, op)).join(' | ')} |`);
}

/** "median unit (min-max)", with `digits` decimals. */
function range(s: Spread, digits: number, unit: string): string {
  const f = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${f(s.median)}${unit} (${f(s.min)}-${f(s.max)})`;
}

export async function main(argv: string[]): Promise<number> {
  const started = Date.now();
  const quick = argv.includes('--quick');
  const files = dataFiles(prepareBundledMnist(), true);
  const lines: string[] = [];
  const runtimeRows: [string, RuntimeBench][] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  await withPage('src/cli/bench_page.html', files, async (page) => {
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.waitForFunction(() => 'bench' in window);
    const env = await page.evaluate(() => window.bench.environment());
    say(`# Benchmarks\n\n${new Date().toISOString().slice(0, 10)} · ${env.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? env.userAgent} · ` +
      `adapter: ${env.adapter} (matmul: ${env.matmul}) · machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB · \`npm run bench\`\n`);
    say('## Training (SGD lr 0.1, same initial weights; samples/s over a full epoch after a warm-up epoch)\n');
    say('| model | batch | samples | backend | samples/s | first batch | evaluate 2,000 | test accuracy | webgpu-nn ÷ this |');
    say('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const c of quick ? CASES.slice(0, 2) : CASES) {
      const results: TrainingResult[] = await page.evaluate(([c]) => window.bench.training(c, ['webgpu', 'wasm']), [c] as const);
      const ours = results[0].samplesPerSecond;
      for (const r of results) {
        say(`| ${c.layers.join('-')} | ${c.batch} | ${c.samples} | ${r.backend} | ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} | ` +
          `${Math.round(r.firstBatchMs)} ms | ${Math.round(r.evaluateMs)} ms | ${(r.testAccuracy * 100).toFixed(2)}% | ` +
          `${r.backend === 'webgpu-nn' ? '' : `${(ours / r.samplesPerSecond).toFixed(2)}×`} |`);
      }
    }
    const fixedSteps = (c: ConvNetCase) => 1 + c.warmup + c.steps;
    say(`\n## ConvNet training (${CONVNET_NAME}, SGD lr 0.05, same initial weights, same rows in the same order)\n`);
    say('Each backend takes the same steps: a first step (model creation and compilation included), warm-up steps, then the timed steps; ' +
      'then it predicts 500 test digits (compiling for them) before the timed evaluation of all 2,000. tfjs-wasm has no Conv2DBackpropFilter kernel.\n');
    say('| batch | steps (timed) | backend | samples/s | first step | evaluate 2,000 | test accuracy | webgpu-nn ÷ this |');
    say('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const c of quick ? CONVNET_CASES.slice(0, 1) : CONVNET_CASES) {
      const results = await page.evaluate(([c]) => window.bench.convnetTraining(c, ['webgpu', 'webgl', 'cpu']), [c] as const);
      const ours = results[0].samplesPerSecond;
      for (const r of results) {
        say(`| ${c.batch} | ${fixedSteps(c)} (${c.steps}) | ${r.backend} | ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} | ` +
          `${Math.round(r.firstBatchMs)} ms | ${Math.round(r.evaluateMs)} ms | ${(r.testAccuracy * 100).toFixed(2)}% | ` +
          `${r.backend === 'webgpu-nn' ? '' : `${(ours / r.samplesPerSecond).toFixed(1)}×`} |`);
      }
    }
    const rounds = quick ? 2 : ROUNDS;
    say(`\n## Against jax-js, alternating (${rounds} rounds: each trains webgpu-nn, jax-js webgpu and jax-js wasm once, starting one further along)\n`);
    say('The workloads of the tables above, from the same initial weights. Samples/s and the time to evaluate the 2,000 test digits: the median ' +
      'of the rounds and their range. Ratios: each round\'s ours ÷ theirs (theirs ÷ ours for times), their median and range.\n');
    say('| workload | webgpu-nn | jax-js webgpu | jax-js wasm | ours ÷ webgpu | ours ÷ wasm |');
    say('| --- | --- | --- | --- | --- | --- |');
    for (const [name, workload] of HEAD_TO_HEAD) {
      const [ours, ...others] = await page.evaluate(([w, r]) => window.bench.againstJax(w, r), [workload, rounds] as const);
      const theirs = ['jax-js-webgpu', 'jax-js-wasm'].map((backend) => others.find((c) => c[0].backend === backend)); // undefined: not in this browser
      const rates = (results: TrainingResult[]) => results.map((r) => r.samplesPerSecond);
      const times = (results: TrainingResult[]) => results.map((r) => r.evaluateMs);
      const cells = (f: (c: TrainingResult[]) => string) => [ours, ...theirs].map((c) => (c ? f(c) : '-')).join(' | ');
      const ratios = (f: (c: TrainingResult[]) => string) => theirs.map((c) => (c ? f(c) : '-')).join(' | ');
      say(`| ${name} | ${cells((c) => range(spread(rates(c)), 0, ''))} | ${ratios((c) => range(pairedRatios(rates(ours), rates(c)), 2, '×'))} |`);
      say(`| evaluate 2,000: ${name} | ${cells((c) => range(spread(times(c)), 0, ' ms'))} | ${ratios((c) => range(pairedRatios(times(c), times(ours)), 2, '×'))} |`);
    }
    const profiles = [['784-128-10', { layers: [784, 128, 10], seed: 1 }, 64], ['784-1024-1024-10', { layers: [784, 1024, 1024, 10], seed: 1 }, 256],
      [CONVNET_NAME, 'convnet', 64]] as const;
    for (const [name, options, batch] of profiles) {
      const times = await page.evaluate(([o, b]) => window.bench.profile(o === 'convnet' ? window.bench.CONVNET : { layers: [...o.layers], seed: o.seed }, b), [options, batch] as const);
      if (!times) {
        say('\n(no timestamp-query on this adapter: no per-kernel times)');
        break;
      }
      const total = times.reduce((sum, t) => sum + t.ms, 0);
      say(`\n## Where one training step's GPU time goes: ${name}, batch ${batch} (timestamp-query, mean of 5)\n`);
      say('| op | ms | share |');
      say('| --- | --- | --- |');
      for (const t of times) say(`| ${t.op} | ${t.ms.toFixed(3)} | ${((t.ms / total) * 100).toFixed(1)}% |`);
      say(`| **step** | ${total.toFixed(3)} | |`);
    }
    runtimeRows.push(['browser (Chromium: Dawn)', await page.evaluate(() => window.bench.runtime())]);
    say('\n## What the live GPU profile costs (fit\'s onProfile every 3 s, as in the demo; batch 64, 4 steps a submit)\n');
    say('Fits with and without onProfile, alternating (plain, profiled, profiled, plain, …), samples/s of each fit.\n');
    say('| model | samples × epochs | without | with onProfile | with ÷ without |');
    say('| --- | --- | --- | --- | --- |');
    const costs = [['784-512-10', { layers: [784, 512, 10], seed: 1 }, 8000, 3], [CONVNET_NAME, 'convnet', 3200, 1]] as const;
    for (const [name, options, samples, epochs] of quick ? costs.slice(0, 1) : costs) {
      const r = await page.evaluate(([o, n, e]) => window.bench.profileCost(o === 'convnet' ? window.bench.CONVNET : { layers: [...o.layers], seed: o.seed }, n, e, 4),
        [options, samples, epochs] as const);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const list = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en-US')).join(' / ');
      say(`| ${name} | ${samples} × ${epochs} | ${list(r.plain)} | ${list(r.profiled)} (${r.profiles} profiles) | ${(mean(r.profiled) / mean(r.plain)).toFixed(3)} |`);
    }
    say('\n## Matmul, C(M, N) = A(M, K) · B(K, N), GFLOP/s\n');
    say('| M × K × N | webgpu-nn | tf.matMul (webgpu) | ratio |');
    say('| --- | --- | --- | --- |');
    for (const [m, k, n] of quick ? MATMULS.slice(0, 3) : MATMULS) {
      const r = await page.evaluate(([m, k, n]) => window.bench.matmul(m, k, n, 5), [m, k, n] as const);
      say(`| ${m} × ${k} × ${n} | ${r.ours.toFixed(2)} | ${r.tfjs.toFixed(2)} | ${(r.ours / r.tfjs).toFixed(2)}× |`);
    }
    say('\n## Convolution at the ConvNet\'s shapes, batch 64, GFLOP/s (2 · batch · positions · filters · taps per pass)\n');
    say('Ours: the ops a training step runs for each (forward: the product with bias; input gradient: the patches\' gradient and col2im; ' +
      'weight gradient: per-sample products and their sum). Theirs: tf.conv2d, tf.conv2dTranspose and the Conv2DBackpropFilter kernel on tfjs-webgpu.\n');
    say('| input → output | kernel | webgpu-nn forward | tfjs | ratio | webgpu-nn input grad | tfjs | ratio | webgpu-nn weight grad | tfjs | ratio |');
    say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const shape of CONVOLUTIONS) {
      const r = await page.evaluate(([s]) => window.bench.convolution(s, 64, 5), [shape] as const);
      const [c, h, w] = shape.input;
      const out = `${shape.filters}×${h - shape.kernel + 1}×${w - shape.kernel + 1}`;
      const cells = (['forward', 'inputGrad', 'weightGrad'] as const).map((k) => `${r.ours[k].toFixed(2)} | ${r.tfjs[k].toFixed(2)} | ${(r.ours[k] / r.tfjs[k]).toFixed(1)}×`);
      say(`| ${c}×${h}×${w} → ${out} | ${shape.kernel}×${shape.kernel} | ${cells.join(' | ')} |`);
    }
  }, {
    optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', '@jax-js/jax'] },
    // Cross-origin isolated, so that the Wasm backends (jax-js's, TensorFlow.js's) may use threads.
    server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  },
  ['--enable-webgpu-developer-features']); // unquantised timestamps
  await everyRuntime(files, say, runtimeRows);
  say(`\n(The whole benchmark took ${((Date.now() - started) / 60_000).toFixed(1)} minutes.)`);
  writeFileSync('BENCHMARKS.md', `${lines.join('\n')}\n`);
  console.log('\nwrote BENCHMARKS.md');
  return 0;
}
