// `npm run bench`: webgpu-nn against TensorFlow.js (webgpu and wasm backends) in one headless Chromium,
// same data, model, batch, SGD and initial weights; then a matmul micro-benchmark. Prints a markdown report
// and writes it to BENCHMARKS.md. `--quick` runs only the small configurations.

import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { withPage } from './browser';
import type { TrainingCase, TrainingResult } from './bench_page';
import { prepareBundledMnist } from './prepare_mnist';
import { dataFiles } from './train';

const CASES: TrainingCase[] = [
  { layers: [784, 128, 10], batch: 64, samples: 8000, epochs: 1 },
  { layers: [784, 128, 10], batch: 512, samples: 8000, epochs: 1 },
  { layers: [784, 1024, 1024, 10], batch: 256, samples: 2048, epochs: 1 },
];
const MATMULS: [number, number, number][] = [[128, 128, 128], [256, 256, 256], [512, 512, 512], [64, 784, 128], [256, 784, 1024], [256, 1024, 1024]];

export async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const files = dataFiles(prepareBundledMnist(), true);
  const lines: string[] = [];
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
    for (const [layers, batch] of [[[784, 128, 10], 64], [[784, 1024, 1024, 10], 256]] as const) {
      const times = await page.evaluate(([l, b]) => window.bench.profile([...l], b), [layers, batch] as const);
      if (!times) {
        say('\n(no timestamp-query on this adapter: no per-kernel times)');
        break;
      }
      const total = times.reduce((sum, t) => sum + t.ms, 0);
      say(`\n## Where one training step's GPU time goes: ${layers.join('-')}, batch ${batch} (timestamp-query, mean of 5)\n`);
      say('| op | ms | share |');
      say('| --- | --- | --- |');
      for (const t of times) say(`| ${t.op} | ${t.ms.toFixed(3)} | ${((t.ms / total) * 100).toFixed(1)}% |`);
      say(`| **step** | ${total.toFixed(3)} | |`);
    }
    say('\n## Matmul, C(M, N) = A(M, K) · B(K, N), GFLOP/s\n');
    say('| M × K × N | webgpu-nn | tf.matMul (webgpu) | ratio |');
    say('| --- | --- | --- | --- |');
    for (const [m, k, n] of quick ? MATMULS.slice(0, 3) : MATMULS) {
      const r = await page.evaluate(([m, k, n]) => window.bench.matmul(m, k, n, 5), [m, k, n] as const);
      say(`| ${m} × ${k} × ${n} | ${r.ours.toFixed(2)} | ${r.tfjs.toFixed(2)} | ${(r.ours / r.tfjs).toFixed(2)}× |`);
    }
  }, { optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm'] } },
  ['--enable-webgpu-developer-features']); // unquantised timestamps
  writeFileSync('BENCHMARKS.md', `${lines.join('\n')}\n`);
  console.log('\nwrote BENCHMARKS.md');
  return 0;
}
