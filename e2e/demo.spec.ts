// The demo driven as a person would: set a small seeded configuration, train, read the results, draw a
// digit, pause/resume/stop, load a broken file, and open it without WebGPU. Screenshots of each state are
// attached to the test results (test-results/**/*.png).
import { expect, type Page, test } from '@playwright/test';
import { DEMO_URL } from '../playwright.config';

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
  await expect(page.locator('#train-status')).toContainText('samples/s');
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

  // Draw a "1": a vertical stroke with the mouse.
  const pad = page.locator('#pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + i * 0.06));
  await page.mouse.up();
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
  await expect(page.locator('#train-status')).toContainText('samples/s');
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
  await expect(page.locator('#test-accuracy')).toContainText('(stopped early)');
  await expect(page.getByRole('button', { name: 'Start' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeDisabled();
  await shot(page, 'demo-stopped');
  expect(problems).toEqual([]);
});

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
  await shot(page, 'demo-bad-input');
  expect(problems).toEqual([]);
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

test('at phone width everything fits without sideways scrolling', async ({ page }) => {
  const problems: string[] = [];
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, problems);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, 'demo-phone');
  expect(problems).toEqual([]);
});
