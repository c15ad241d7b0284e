// The demo driven as a person would: set a small seeded configuration, train, read the results, draw a
// digit, pause/resume/stop; train a ConvNet and look at its filters, feature maps and GPU timings; reload in
// the middle of training and resume; load a broken file, write bad layers, open it at phone width and without
// WebGPU. Screenshots of each state are attached to the test results (test-results/**/*.png).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { DEMO_URL } from '../playwright.config';
import { drawOne } from './draw';
import { serveStatic } from './static_server';

/** Opens the demo, collecting console errors and uncaught exceptions (which fail the test at the end). */
async function open(page: Page, problems: string[]): Promise<void> {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console error: ${m.text()}`)));
  await page.goto(DEMO_URL);
  await expect(page.locator('#data-status')).toContainText('8,000 train, 2,000 test');
}

async function fill(page: Page, settings: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(settings)) await page.locator(`#settings [name=${name}]`).fill(value);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
  await test.info().attach(name, { path: test.info().outputPath(`${name}.png`), contentType: 'image/png' });
}

test('train a small seeded model, see results, draw a digit', async ({ page }) => {
  const problems: string[] = [];
  await open(page, problems);
  await shot(page, 'demo-start');
  await fill(page, { hidden: '64', epochs: '3', batch: '64', lr: '0.003', seed: '1' });
  await page.getByRole('button', { name: 'Start' }).click();
  // The first progress comes after the engine's first compile and autotune: seconds on a slow, shared machine.
  await expect(page.locator('#train-status')).toContainText('samples/s', { timeout: 60_000 });
  await shot(page, 'demo-training');
  await expect(page.locator('#test-accuracy')).toContainText('Test accuracy', { timeout: 120_000 });
  const accuracy = Number(await page.locator('#test-accuracy').getAttribute('data-accuracy'));
  console.log(`demo test accuracy ${(accuracy * 100).toFixed(2)}%`);
  expect(accuracy).toBeGreaterThan(0.9);
  const counts = await page.locator('#confusion td').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
  expect(counts).toHaveLength(100);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(2000);
  expect(Number(await page.locator('#loss-chart').getAttribute('data-points'))).toBeGreaterThan(10);
  expect(Number(await page.locator('#accuracy-chart').getAttribute('data-points'))).toBe(6); // 3 epochs × train, validation
  expect(await page.locator('#gallery figure').count()).toBeGreaterThan(0);
  await shot(page, 'demo-results');

  // Draw a "1" with the mouse.
  const pad = page.locator('#pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await drawOne(page.mouse, box);
  await expect(page.locator('#probabilities li.top')).toHaveCount(1);
  const probs = await page.locator('#probabilities li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-prob'))));
  expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);
  console.log(`drawn "1" read as ${probs.indexOf(Math.max(...probs))} (${(Math.max(...probs) * 100).toFixed(1)}%)`);
  await shot(page, 'demo-drawing');

  // Save the model, load it back, and try a file that is not a model.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Save model/ }).click()]);
  expect(download.suggestedFilename()).toBe('model.safetensors');
  const saved = test.info().outputPath('model.safetensors');
  await download.saveAs(saved);
  await page.locator('#load').setInputFiles(saved);
  await expect(page.locator('#file-status')).toHaveText('Loaded model.safetensors: 784-64-10 relu');
  await page.locator('#load').setInputFiles({ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
  await expect(page.locator('#file-error')).toContainText('ModelFormatError: junk.safetensors: header length');
  expect(problems).toEqual([]);
});

test('pause holds training, resume continues, stop ends it and leaves the page usable', async ({ page }) => {
  const problems: string[] = [];
  await open(page, problems);
  await fill(page, { hidden: '16', epochs: '20', batch: '32' });
  await page.getByRole('button', { name: 'Start' }).click();
  // The first progress comes after the engine's first compile and autotune: seconds on a slow, shared machine.
  await expect(page.locator('#train-status')).toContainText('samples/s', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.locator('#train-status')).toContainText('paused');
  const held = await page.locator('#progress').evaluate((p: HTMLProgressElement) => p.value);
  await page.waitForTimeout(1500);
  expect(await page.locator('#progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(held);
  await shot(page, 'demo-paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => page.locator('#progress').evaluate((p: HTMLProgressElement) => p.value)).toBeGreaterThan(held);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.locator('#train-status')).toHaveText('Stopped.');
  // The stopped model is then evaluated on the 2,000 test digits: seconds on a slow, shared machine.
  await expect(page.locator('#test-accuracy')).toContainText('(stopped early)', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Start' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeDisabled();
  await shot(page, 'demo-stopped');
  expect(problems).toEqual([]);
});

test('ConvNet: one epoch in the worker, with its filters, feature maps, GPU timings, and the pad read from the keyboard while it trains', async ({ page }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  await open(page, problems);
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'ConvNet' });
  await expect(page.locator('#convnet-text')).toHaveText('conv5x5x24,maxpool2,relu,conv3x3x32,maxpool2,relu,flatten,dense128+relu,dropout0.3,dense10');
  await expect(page.getByLabel('Hidden layers')).toBeHidden();
  await fill(page, { epochs: '1', seed: '1' });
  await page.getByRole('button', { name: 'Start' }).click();
  // While it trains: the timing panel lists every op of a step, and the pad reads a test digit, put there from the keyboard.
  const ops = page.locator('#timing li');
  await expect(ops.first()).toBeVisible({ timeout: 60_000 });
  const names = await ops.evaluateAll((items) => items.map((li) => li.getAttribute('data-op')));
  console.log(`timing panel: ${names.length} ops: ${names.join(', ')}`);
  expect(names[0]).toBe('gather');
  expect(names.at(-1)).toBe('update');
  expect(names).toContain('loss');
  for (const layer of [0, 3, 7, 9]) expect(names.some((n) => n?.startsWith(`layers[${layer}].`)), `an op of layer ${layer}`).toBe(true);
  const shares = await ops.evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-ms'))));
  expect(shares.every((ms) => ms >= 0) && shares.some((ms) => ms > 0)).toBe(true);
  await expect(page.locator('#timing .rate')).toContainText('samples/s', { timeout: 30_000 });
  await page.locator('#clear').focus();
  await page.keyboard.press('Shift+Tab');
  await expect(page.locator('#sample')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#probabilities li.top')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.locator('#maps')).toHaveAttribute('data-layers', '4');
  // The pad's digit is read again as the weights change (every 2 s while training runs).
  const readings = () => page.locator('#probabilities li').evaluateAll((items) => items.map((li) => li.getAttribute('data-prob')).join());
  const first = await readings();
  await expect.poll(readings, { timeout: 20_000 }).not.toBe(first);
  await expect(page.locator('#train-status')).toContainText('Epoch 1/1'); // still training
  await shot(page, 'demo-convnet-training');

  await expect(page.locator('#test-accuracy')).toContainText('Test accuracy', { timeout: 200_000 });
  const accuracy = Number(await page.locator('#test-accuracy').getAttribute('data-accuracy'));
  console.log(`ConvNet after one epoch: test accuracy ${(accuracy * 100).toFixed(2)}%`);
  expect(accuracy).toBeGreaterThan(0.9);
  await expect(page.locator('#filters canvas')).toHaveCount(24);
  const spread = await page.locator('#filters canvas').evaluateAll((canvases) => canvases.map((c) => {
    const { data } = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 5, 5);
    const grey = Array.from({ length: 25 }, (_, i) => data[i * 4]);
    return Math.max(...grey) - Math.min(...grey);
  }));
  expect(spread.every((s) => s === 255), 'each filter drawn black to white').toBe(true);
  await page.locator('#sample').press('Space');
  const maps = await page.locator('#maps figure').evaluateAll((rows) => rows.map((r) => `${r.querySelector('figcaption')!.textContent} ${r.querySelectorAll('canvas').length}`));
  expect(maps).toEqual([
    'layer 1, conv2d: 24 maps of 24 × 24 24', 'layer 2, maxPool2d: 24 maps of 12 × 12 24',
    'layer 4, conv2d: 32 maps of 10 × 10 32', 'layer 5, maxPool2d: 32 maps of 5 × 5 32',
  ]);
  const label = Number(await page.locator('#pad').getAttribute('data-label'));
  const probs = await page.locator('#probabilities li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-prob'))));
  console.log(`sample digit ${label} read as ${probs.indexOf(Math.max(...probs))} (${(Math.max(...probs) * 100).toFixed(1)}%)`);
  expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);
  await shot(page, 'demo-convnet-results');
  expect(problems).toEqual([]);
});

test('reload in the middle of training, resume: the same model, bit for bit, as a run never stopped; or discard', async ({ page }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  await open(page, problems);
  const settings = { hidden: '32', epochs: '4', batch: '64', lr: '0.003', seed: '7' };
  await fill(page, settings);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#train-status')).toHaveAttribute('data-saved', '2:0', { timeout: 60_000 }); // epoch 1's checkpoint is stored
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.reload();
  await expect(page.locator('#data-status')).toContainText('8,000 train');
  // An epoch of this MLP can end between the checkpoint showing and the pause: the offer resumes after the last
  // epoch stored, 1 to 3 of the 4.
  const offer = page.getByRole('button', { name: /^Resume from epoch [234] of 4$/ });
  await expect(offer).toBeVisible();
  const epoch = Number(/epoch (\d)/.exec((await offer.textContent()) ?? '')?.[1]);
  await expect(page.locator('#resume-text')).toContainText(`${epoch - 1} of 4 epochs done`);
  await shot(page, 'demo-resume-offer');
  await offer.click();
  await expect(page.locator('#settings [name=hidden]')).toHaveValue('32');
  await expect(page.locator('#test-accuracy')).toContainText('Test accuracy', { timeout: 120_000 });
  expect(Number(await page.locator('#accuracy-chart').getAttribute('data-points'))).toBe(8); // the epochs done redrawn, then the rest: 2 points each
  await shot(page, 'demo-resumed');
  const resumed = await download(page);

  await page.getByRole('button', { name: 'Start' }).click(); // the same settings, never stopped
  await expect(page.locator('#train-status')).toHaveText('Done.', { timeout: 120_000 });
  const whole = await download(page);
  console.log(`resumed and uninterrupted model files: ${resumed.length} and ${whole.length} bytes, equal: ${resumed.equals(whole)}`);
  expect(resumed.equals(whole)).toBe(true);

  // A run paused, reloaded and discarded is gone, after another reload too.
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#train-status')).toHaveAttribute('data-saved', '2:0', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.reload();
  await page.getByRole('button', { name: 'Discard' }).click();
  await expect(page.locator('#resume-offer')).toBeHidden();
  await page.reload();
  await expect(page.locator('#data-status')).toContainText('8,000 train');
  await expect(page.locator('#resume-offer')).toBeHidden();
  expect(problems).toEqual([]);
});

/** The model, as the Save button downloads it. */
async function download(page: Page): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Save model/ }).click()]);
  const path = test.info().outputPath(`${Date.now()}.safetensors`);
  await file.saveAs(path);
  return readFileSync(path);
}

test('a broken IDX file shows the loader error and changes nothing; bad fields are explained', async ({ page }) => {
  const problems: string[] = [];
  await open(page, problems);
  await page.locator('#files').setInputFiles([
    { name: 'train-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]) },
    { name: 'train-labels-idx1-ubyte', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3, 4, 5]) },
  ]);
  await expect(page.locator('#data-error')).toContainText('DataFormatError: train-images-idx3-ubyte: data is truncated');
  await expect(page.locator('#data-status')).toContainText('Bundled MNIST: 8,000 train');
  await fill(page, { hidden: '32,abc', lr: '-1', epochs: '0' });
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#hidden-error')).toContainText('widths from 1 to 4096');
  await expect(page.locator('#lr-error')).toContainText('a number above 0');
  await expect(page.locator('#settings [name=epochs]')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#train-status')).toHaveText('Ready.');
  await fill(page, { hidden: '64', lr: '0.002', epochs: '1' });
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'Custom' });
  await fill(page, { layers: 'conv5x5x8,maxpool,flatten,dense10' });
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#layers-error')).toHaveText("Layer 2, 'maxpool': expected maxpool<SIZE> or maxpool<H>x<W>, optionally /<STRIDE>, e.g. maxpool2.");
  await expect(page.locator('#settings [name=layers]')).toHaveAttribute('aria-invalid', 'true');
  await fill(page, { layers: 'conv5x5x8,maxpool2,conv13x13x4,flatten,dense10' });
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#layers-error')).toContainText("Layer 3, 'conv13x13x4', on 28 × 28 images: kernelSize is [13, 13]");
  await fill(page, { layers: 'conv5x5x8,flatten,dense4' });
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#layers-error')).toHaveText('The last layer gives 4 values: this data has 10 classes.');
  await expect(page.locator('#train-status')).toHaveText('Ready.');
  await expect(page.getByRole('button', { name: 'Start' })).toBeEnabled();
  await shot(page, 'demo-bad-input');
  expect(problems).toEqual([]);
});

test('the static site npm run build writes (dist/demo) trains in its worker from a plain web server', async ({ page }) => {
  expect(existsSync('dist/demo/index.html'), 'run `npm run build` first (npm test does)').toBe(true);
  const server = await serveStatic(resolve('dist/demo'));
  try {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console error: ${m.text()}`)));
    await page.goto(`${server.url}/index.html`);
    await expect(page.locator('#data-status')).toContainText('8,000 train, 2,000 test');
    await fill(page, { hidden: '64', epochs: '1', lr: '0.005' });
    await page.getByRole('button', { name: 'Start' }).click();
    await expect(page.locator('#test-accuracy')).toContainText('Test accuracy', { timeout: 60_000 });
    await expect(page.locator('#train-status')).toHaveText('Done.');
    await expect(page.locator('#timing li').first()).toBeVisible();
    expect(Number(await page.locator('#test-accuracy').getAttribute('data-accuracy'))).toBeGreaterThan(0.8);
    expect(problems).toEqual([]);
  } finally {
    await server.close();
  }
});

test('without WebGPU the page explains which browsers work and how', async ({ page }) => {
  const problems: string[] = [];
  await page.addInitScript(() => Object.defineProperty(navigator, 'gpu', { value: undefined }));
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(DEMO_URL);
  await expect(page.locator('#no-webgpu')).toBeVisible();
  await expect(page.locator('#no-webgpu')).toContainText('Chrome and Edge 113 or newer');
  await expect(page.locator('#no-webgpu-reason')).toContainText('navigator.gpu is not defined');
  await expect(page.locator('#app')).toBeHidden();
  await shot(page, 'demo-no-webgpu');
  expect(problems).toEqual([]);
});

test('at phone width everything fits without sideways scrolling, a trained ConvNet\'s views too', async ({ page }) => {
  test.setTimeout(120_000);
  const problems: string[] = [];
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, problems);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, 'demo-phone');
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'Custom' });
  await fill(page, { layers: 'conv3x3x8+relu,maxpool2,flatten,dense10', epochs: '1' });
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#train-status')).toHaveText('Done.', { timeout: 100_000 });
  await page.getByRole('button', { name: 'Sample digit' }).click();
  await expect(page.locator('#maps')).toHaveAttribute('data-layers', '2');
  await expect(page.locator('#timing li').first()).toBeVisible();
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, 'demo-phone-convnet');
  expect(problems).toEqual([]);
});
