// `npm run train`: trains MNIST with the engine inside headless Chromium (so it works with no display), with
// --runtime node in this process on the `webgpu` package, or with --runtime deno in Deno (wgpu), and prints progress, test accuracy and a
// per-class table. Ctrl-C stops after the current chunk of batches and still writes --out, and --checkpoint's
// file, which --resume continues from. Run through scripts/run.mjs.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { CliError, parseArgs, type TrainConfig, USAGE } from './args';
import { MNIST_FILES } from '../data/mnist';
import { withPage } from './browser';
import { findChromium } from './chromium';
import { type CheckpointIO, runSession, type TrainEvent, type TrainResult } from './session';
import { nodeGpu } from './node_gpu';
import { DenoSession, denoVulkanAdapter } from './deno';
import { slowLavapipe } from './lavapipe';
import { ArgumentError, createEngine, type LayerOptions } from '../index';
import { resolveModelOptions } from '../model/architecture';
import { prepareBundledMnist } from './prepare_mnist';
import { duration, epochLine, perClassTable, progressBar } from './report';

const IDX_NAMES = Object.values(MNIST_FILES); // train images, train labels, test images, test labels

/** name -> path of each IDX file, gzipped or not, in `dir`. */
export function dataFiles(dir: string, needTest: boolean): Map<string, string> {
  const files = new Map<string, string>();
  const missing: string[] = [];
  for (const name of needTest ? IDX_NAMES : IDX_NAMES.slice(0, 2)) {
    const path = [join(dir, `${name}.gz`), join(dir, name)].find((p) => existsSync(p));
    if (path) files.set(name, path);
    else missing.push(`${name}[.gz]`);
  }
  if (missing.length > 0) throw new CliError(`--data ${dir}: missing ${missing.join(', ')}`);
  return files;
}

/**
 * Checks the network against the training images' size (read from the IDX header) before anything starts: an
 * MLP's first width must be their pixels, and a list of layers must fit them. A header that is not an IDX
 * images header is left for the loader to report.
 */
function checkNetwork(config: TrainConfig, files: Map<string, string>): void {
  const path = files.get(MNIST_FILES.trainImages)!;
  let header = readFileSync(path);
  if (header[0] === 0x1f && header[1] === 0x8b) header = gunzipSync(header);
  if (header.length < 16 || header.readUInt32BE(0) !== 2051) return;
  const [rows, cols] = [header.readUInt32BE(8), header.readUInt32BE(12)];
  if (typeof config.layers[0] === 'number') {
    if (config.layers[0] !== rows * cols) {
      throw new CliError(`--layers ${config.layersText}: the first width is the input; ${path} has ${rows} × ${cols} = ${rows * cols} pixels`);
    }
    return;
  }
  try {
    resolveModelOptions({ input: [1, rows, cols], layers: config.layers as LayerOptions[] });
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    const index = Number(/^layers\[(\d+)\]/.exec(error.argument)?.[1]);
    const token = config.layersText.split(',')[index]?.trim();
    throw new CliError(`--layers: layer ${index + 1}, '${token}', on ${rows} × ${cols} images: ${error.message.replace(/^layers\[\d+\]\.?/, '')}`);
  }
}

class Printer {
  private readonly started = performance.now();
  private barShown = false;
  constructor(private readonly config: TrainConfig, private readonly tty: boolean) {}

  handle(event: TrainEvent): void {
    if (event.type === 'start') {
      const network = typeof this.config.layers[0] === 'number' ? `${this.config.layers.join('-')} ${this.config.activation}` : this.config.layersText;
      console.log(`webgpu-nn on ${event.adapter}: ${network}, ${this.config.optimizer} lr ${this.config.lr} ` +
        `(${this.config.schedule}), batch ${this.config.batch}, ${this.config.epochs} epochs, seed ${this.config.seed}` +
        `${this.config.augment ? `, augment shift ${this.config.augment.shift} px rotate ${this.config.augment.rotate}°` : ''}`);
      console.log(`data: ${event.train} train, ${event.validation} validation, ${event.test} test`);
    } else if (event.type === 'batch') {
      if (!this.tty) return;
      process.stdout.write(`\r${progressBar(event.epoch, this.config.epochs, event.step, event.steps, event.loss)}\x1b[K`);
      this.barShown = true;
    } else {
      if (this.barShown) process.stdout.write('\r\x1b[K');
      const elapsed = (performance.now() - this.started) / 1000;
      console.log(epochLine({
        epoch: event.epoch, epochs: this.config.epochs, loss: event.loss, accuracy: event.accuracy,
        validation: event.validation?.accuracy, samplesPerSecond: event.samples / event.seconds,
        elapsed, remaining: (elapsed / event.epoch) * (this.config.epochs - event.epoch),
      }));
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  let config: TrainConfig | undefined;
  let files: Map<string, string>;
  let runtime: 'browser' | 'node' | 'deno';
  try {
    config = parseArgs(argv);
    if (!config) {
      console.log(USAGE);
      return 0;
    }
    files = dataFiles(config.data ?? prepareBundledMnist(), config.samples === undefined);
    checkNetwork(config, files);
    if (config.resume !== undefined && !existsSync(config.resume)) throw new CliError(`--resume ${config.resume}: no such file`);
    runtime = config.runtime === 'auto' ? pickRuntime() : config.runtime;
    if (runtime === 'browser') findChromium(); // fail early, with the how-to, before starting anything
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  const started = performance.now();
  const run = config;
  const printer = new Printer(run, process.stdout.isTTY === true);
  let lastCheckpoint: { epoch: number; step: number } | undefined;
  const checkpoints: CheckpointIO = { // resumeFrom: each runtime reads --resume itself (the browser fetches it)
    save: run.checkpoint === undefined ? undefined : (bytes, at) => {
      writeFileSync(`${run.checkpoint}.partial`, bytes); // then renamed: a stop mid-write never leaves half a checkpoint
      renameSync(`${run.checkpoint}.partial`, run.checkpoint!);
      lastCheckpoint = at;
    },
  };
  const finish = async (result: TrainResult, save: () => Promise<Uint8Array>): Promise<number> => {
    console.log(`${result.stopped ? 'stopped early; ' : ''}test accuracy ${(result.test.accuracy * 100).toFixed(2)}% ` +
      `(${Math.round(result.test.accuracy * result.test.count)}/${result.test.count}), loss ${result.test.loss.toFixed(4)}, ` +
      `seed ${run.seed}, wall time ${duration((performance.now() - started) / 1000)}`);
    console.log(perClassTable(result.perClass.correct, result.perClass.total));
    if (run.out) {
      writeFileSync(run.out, await save());
      console.log(`wrote ${run.out}`);
    }
    if (result.stopped && lastCheckpoint) {
      console.log(`wrote ${run.checkpoint}: --resume ${run.checkpoint} continues at step ${lastCheckpoint.step} of epoch ${lastCheckpoint.epoch}`);
    }
    return result.stopped ? 130 : 0;
  };
  try {
    const runtimes = { browser: inBrowser, node: inNode, deno: inDeno };
    return await runtimes[runtime](run, files, printer, finish, checkpoints);
  } catch (error) {
    // From the page: without Playwright's prefix, a CliError's class name, or the page's stack.
    console.error(`error: ${(error as Error).message.replace(/^page\.evaluate: ((Cli)?Error: )?/, '').replace(/\n\s+at [\s\S]*$/, '')}`);
    return 1;
  }
}

type Finish = (result: TrainResult, save: () => Promise<Uint8Array>) => Promise<number>;

/** The session in headless Chromium (page.ts), with the files (and --resume's checkpoint) served to it. */
function inBrowser(run: TrainConfig, files: Map<string, string>, printer: Printer, finish: Finish, checkpoints: CheckpointIO): Promise<number> {
  const served = new Map(files);
  if (run.resume !== undefined) served.set('resume', run.resume);
  return withPage('src/cli/page.html', served, async (page) => {
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.exposeFunction('report', (event: TrainEvent) => printer.handle(event));
    await page.exposeFunction('saveCheckpoint', (base64: string, at: { epoch: number; step: number }) => checkpoints.save?.(Buffer.from(base64, 'base64'), at));
    await page.waitForFunction(() => 'runTraining' in window);
    const stopOnInterrupt = onInterrupt(() => void page.evaluate(() => window.stopTraining()).catch(() => undefined));
    try {
      const result: TrainResult = await page.evaluate((c) => window.runTraining(c), run);
      return await finish(result, async () => Buffer.from(await page.evaluate(() => window.saveModel()), 'base64'));
    } finally {
      process.off('SIGINT', stopOnInterrupt);
    }
  });
}

/** The session in this process, on WebGPU from the `webgpu` package (node_gpu.ts). */
async function inNode(run: TrainConfig, files: Map<string, string>, printer: Printer, finish: Finish, checkpoints: CheckpointIO): Promise<number> {
  const engine = await createEngine({ gpu: await nodeGpu() });
  const stop = new AbortController();
  const stopOnInterrupt = onInterrupt(() => stop.abort());
  try {
    const resumeFrom = run.resume === undefined ? undefined : new Uint8Array(readFileSync(run.resume));
    const { model, result } = await runSession(engine, run, (file) => new File([readFileSync(files.get(file)!)], files.get(file)!), (event) => printer.handle(event), stop.signal,
      { ...checkpoints, resumeFrom });
    return await finish(result, () => model.save());
  } finally {
    process.off('SIGINT', stopOnInterrupt);
    engine.destroy();
  }
}

/**
 * The fastest runtime found, said on the terminal: Deno on a GPU or Mesa's lavapipe from Mesa 25 on, through Vulkan
 * (measured here on lavapipe 25: 1.5-2.7× SwiftShader's speed on the MLP, 2.2-4.8× on the ConvNet), else the browser on
 * Chromium's SwiftShader. An older lavapipe is passed over, and the terminal says why (lavapipe.ts).
 */
function pickRuntime(): 'browser' | 'deno' {
  const adapter = denoVulkanAdapter();
  const slow = adapter && slowLavapipe(adapter);
  if (adapter && !slow) {
    process.env.DENO_WEBGPU_BACKEND = 'vulkan'; // the adapter just found, for the session's Deno too
    console.log(`runtime: deno (wgpu) on ${adapter}, the fastest found (--runtime browser|node|deno chooses)`);
    return 'deno';
  }
  const why = slow ? `${slow} (README: "Faster on a machine without a GPU")` : 'Deno found no GPU or lavapipe through Vulkan';
  console.log(`runtime: browser (Chromium, on its SwiftShader): ${why} (--runtime browser|node|deno chooses)`);
  return 'browser';
}

/** The session in Deno, on wgpu (deno.ts). */
async function inDeno(run: TrainConfig, files: Map<string, string>, printer: Printer, finish: Finish, checkpoints: CheckpointIO): Promise<number> {
  const deno = await DenoSession.start(files, run, (event) => printer.handle(event), checkpoints);
  const stopOnInterrupt = onInterrupt(() => deno.stop());
  try {
    const result = await deno.train(run, files);
    return await finish(result, () => deno.save());
  } finally {
    process.off('SIGINT', stopOnInterrupt);
    deno.close();
  }
}

/** Listens for Ctrl-C: the first calls `stop` (training ends after the current batches), a second quits. */
function onInterrupt(stop: () => void): () => void {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('\nstopping after the current batches (Ctrl-C again to quit at once)...');
    stop();
  };
  process.on('SIGINT', handler);
  return handler;
}
