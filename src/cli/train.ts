// `npm run train`: trains MNIST with the engine inside headless Chromium (so it works with no display)
// and prints progress, test accuracy and a per-class table. Ctrl-C stops after the current chunk of
// batches and still writes --out. Run through scripts/run.mjs.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, parseArgs, type TrainConfig, USAGE } from './args';
import { MNIST_FILES } from '../data/mnist';
import { withPage } from './browser';
import { findChromium } from './chromium';
import type { TrainEvent, TrainResult } from './page';
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

class Printer {
  private readonly started = performance.now();
  private barShown = false;
  constructor(private readonly config: TrainConfig, private readonly tty: boolean) {}

  handle(event: TrainEvent): void {
    if (event.type === 'start') {
      console.log(`webgpu-nn on ${event.adapter}: ${this.config.layers.join('-')} ${this.config.activation}, ${this.config.optimizer} lr ${this.config.lr} ` +
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
  try {
    config = parseArgs(argv);
    if (!config) {
      console.log(USAGE);
      return 0;
    }
    files = dataFiles(config.data ?? prepareBundledMnist(), config.samples === undefined);
    findChromium(); // fail early, with the how-to, before starting anything
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  const started = performance.now();
  const run = config;
  try {
    return await withPage('src/cli/page.html', files, async (page) => {
      let stopping = false;
      const onInterrupt = () => {
        if (stopping) process.exit(130);
        stopping = true;
        console.log('\nstopping after the current batches (Ctrl-C again to quit at once)...');
        void page.evaluate(() => window.stopTraining()).catch(() => undefined);
      };
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
      const printer = new Printer(run, process.stdout.isTTY === true);
      await page.exposeFunction('report', (event: TrainEvent) => printer.handle(event));
      await page.waitForFunction(() => 'runTraining' in window);
      process.on('SIGINT', onInterrupt);
      try {
        const result: TrainResult = await page.evaluate((c) => window.runTraining(c), run);
        console.log(`${result.stopped ? 'stopped early; ' : ''}test accuracy ${(result.test.accuracy * 100).toFixed(2)}% ` +
          `(${Math.round(result.test.accuracy * result.test.count)}/${result.test.count}), loss ${result.test.loss.toFixed(4)}, ` +
          `seed ${run.seed}, wall time ${duration((performance.now() - started) / 1000)}`);
        console.log(perClassTable(result.perClass.correct, result.perClass.total));
        if (run.out) {
          writeFileSync(run.out, Buffer.from(await page.evaluate(() => window.saveModel()), 'base64'));
          console.log(`wrote ${run.out}`);
        }
        return result.stopped ? 130 : 0;
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
  } catch (error) {
    console.error(`error: ${(error as Error).message.replace(/^page\.evaluate: (Error: )?/, '')}`);
    return 1;
  }
}
