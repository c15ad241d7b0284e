// The examples in examples/, built and run as a new user would: the plain page from a static server, and the
// Vite + TypeScript app type-checked, built (importing `webgpu-nn` by name) and served as static files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { serveStatic } from './static_server';

const ROOT = resolve('.');

test('examples/plain: a static page trains, evaluates and predicts with dist/webgpu-nn.js', async ({ page }) => {
  test.setTimeout(120_000);
  expect(existsSync('dist/webgpu-nn.js'), 'run `npm run build` first (npm test does)').toBe(true);
  const server = await serveStatic(ROOT);
  try {
    await page.goto(`${server.url}/examples/plain/index.html`);
    await expect(page.locator('#status')).toContainText('Test accuracy', { timeout: 90_000 });
    const text = await page.locator('#status').textContent();
    console.log(`plain example: ${text}`);
    expect(Number(/Test accuracy (\d+\.\d+)%/.exec(text!)![1])).toBeGreaterThan(85);
    expect(text).toMatch(/The first test digit is a (\d); the model says \d\./);
  } finally {
    await server.close();
  }
});

test('examples/vite-app: type-checks, builds against the package by name, and trains in a worker', async ({ page }) => {
  test.setTimeout(180_000);
  const app = resolve('examples/vite-app');
  // What `npm install` there does for its "webgpu-nn": "file:../.." dependency; its tools resolve from the root.
  mkdirSync(`${app}/node_modules`, { recursive: true });
  if (!existsSync(`${app}/node_modules/webgpu-nn`)) symlinkSync('../../..', `${app}/node_modules/webgpu-nn`);
  execFileSync('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: app, stdio: 'inherit' });
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: app, stdio: 'inherit' });
  const server = await serveStatic(`${app}/dist`);
  try {
    await page.goto(`${server.url}/index.html`);
    await page.click('#train');
    await expect(page.locator('#status')).toContainText('Epoch', { timeout: 60_000 });
    const during = await page.locator('#progress').evaluate((p: HTMLProgressElement) => p.value);
    await expect(page.locator('#status')).toContainText('Test accuracy', { timeout: 120_000 });
    const text = await page.locator('#status').textContent();
    console.log(`vite app: ${text} (progress seen at ${during})`);
    expect(during).toBeGreaterThan(0); // the page updated while the worker trained
    expect(Number(/Test accuracy (\d+\.\d+)%/.exec(text!)![1])).toBeGreaterThan(85);
    await expect(page.locator('#train')).toBeEnabled();
  } finally {
    await server.close();
  }
});
