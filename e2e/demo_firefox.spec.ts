// The demo in Firefox (wgpu), driven as a person would: train a small seeded model, read the results, draw a
// digit. Playwright drives only its own patched Firefox, so this drives Debian's firefox-esr through
// puppeteer-core over WebDriver BiDi, with WebGPU turned on by its prefs and Vulkan on Chromium's SwiftShader
// (Firefox finds no other driver on a machine without a GPU). Playwright still runs the test and serves the demo.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { expect, test } from '@playwright/test';
import { DEMO_URL } from '../playwright.config';
import { drawOne } from './draw';
import { SWIFTSHADER_ICD } from '../src/cli/node_gpu';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

async function firefox(): Promise<Browser> {
  expect(existsSync(FIREFOX), `Firefox is needed at ${FIREFOX} (Debian: apt-get install firefox-esr; or set FIREFOX_PATH)`).toBe(true);
  return puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi',
    extraPrefsFirefox: { 'dom.webgpu.enabled': true, 'gfx.webgpu.ignore-blocklist': true },
    env: { ...process.env, ...(existsSync(SWIFTSHADER_ICD) && !process.env.VK_ICD_FILENAMES ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {}) },
  });
}

test('the demo in Firefox: train a small seeded model, see results, draw a digit', async () => {
  test.setTimeout(240_000);
  const browser = await firefox();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console error: ${m.text()}`)));
    await page.goto(DEMO_URL);
    const adapter = await page.evaluate(async () => {
      if (!navigator.gpu) return 'navigator.gpu is undefined: WebGPU is off in this Firefox';
      const a = await navigator.gpu.requestAdapter().catch((error: unknown) => `requestAdapter() threw ${String(error)}`);
      if (typeof a === 'string') return a;
      return a ? `ok (fallback adapter: ${a.info.isFallbackAdapter})` : 'requestAdapter() returned null: no WebGPU adapter';
    });
    console.log(`Firefox ${await browser.version()} WebGPU: ${adapter}`);
    expect(adapter, 'WebGPU must be available in Firefox for this test (on Linux: Firefox ESR 153 or later)').toMatch(/^ok/);
    await page.waitForFunction(() => document.querySelector('#data-status')?.textContent?.includes('8,000 train, 2,000 test'), { timeout: 60_000 });

    for (const [name, value] of Object.entries({ hidden: '64', epochs: '3', batch: '64', lr: '0.003', seed: '1' })) {
      await page.locator(`#settings [name=${name}]`).fill(value);
    }
    await page.locator('#start').click();
    await page.waitForFunction(() => document.querySelector('#train-status')?.textContent?.includes('samples/s'), { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('#test-accuracy')?.textContent?.includes('Test accuracy'), { timeout: 180_000 });
    const accuracy = Number(await page.$eval('#test-accuracy', (el) => el.getAttribute('data-accuracy')));
    console.log(`Firefox demo test accuracy ${(accuracy * 100).toFixed(2)}%`);
    expect(accuracy).toBeGreaterThan(0.9);
    const counts = await page.$$eval('#confusion td', (cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2000);

    // Draw a "1" with the mouse.
    const pad = (await page.$('#pad'))!;
    await pad.scrollIntoView();
    const box = (await pad.boundingBox())!;
    await drawOne(page.mouse, box);
    await page.waitForFunction(() => document.querySelectorAll('#probabilities li.top').length === 1, { timeout: 30_000 });
    const probs = await page.$$eval('#probabilities li', (items) => items.map((li) => Number(li.getAttribute('data-prob'))));
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);
    console.log(`Firefox: drawn "1" read as ${probs.indexOf(Math.max(...probs))} (${(Math.max(...probs) * 100).toFixed(1)}%)`);
    expect(problems, 'no console errors or uncaught exceptions').toEqual([]);
  } finally {
    await browser.close();
  }
});
