// Shared Playwright fixture: a page on the harness whose WebGPU was checked first. A test never skips:
// without WebGPU it fails, saying why. In the `deno` project (playwright.config.ts) the harness runs in Deno
// instead of the page, and `harness.evaluate` sends its function there (e2e/deno_page.ts).
import { test as base, expect } from '@playwright/test';
import { DenoPage } from './deno_page';

export const test = base.extend<{ harness: import('@playwright/test').Page; expectedConsoleErrors: RegExp[]; runtime: 'chromium' | 'deno' }>({
  /** Console errors a test provokes on purpose (e.g. the browser's own line for a 404). */
  expectedConsoleErrors: [[], { option: true }],
  /** Where the harness runs: the page in Chromium (Dawn) or Deno (wgpu). */
  runtime: ['chromium', { option: true }],
  harness: async ({ page, expectedConsoleErrors, runtime, baseURL }, use) => {
    if (runtime === 'deno') {
      const deno = DenoPage.start(baseURL!);
      try {
        const status = await deno.evaluate(() => (globalThis as unknown as { harness: { webgpu(): Promise<string> } }).harness.webgpu());
        expect(status, 'WebGPU must be available in Deno for GPU tests').toMatch(/^ok/);
        await use(deno as unknown as import('@playwright/test').Page);
      } finally {
        deno.close();
      }
      return;
    }
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' && !expectedConsoleErrors.some((re) => re.test(text))) problems.push(`console error: ${text}`);
    });
    await page.goto('/e2e/harness.html');
    await page.waitForFunction(() => window.harness !== undefined, undefined, { timeout: 30_000 }).catch((error) => {
      throw new Error(`the harness page did not load: ${problems.join('; ') || error}`);
    });
    const status = await page.evaluate(() => window.harness.webgpu());
    expect(status, 'WebGPU must be available for GPU tests').toMatch(/^ok/);
    await use(page);
    expect(problems, 'no console errors or uncaught exceptions').toEqual([]);
  },
});
export { expect };

/** Logs one line in llm.c style: `name OK maxdiff=...`. */
export function report(name: string, result: { maxDiff: number; maxError: number }, tolerance: number): void {
  const verdict = result.maxError <= tolerance ? 'OK' : 'MISMATCH';
  console.log(`${name.padEnd(52)} ${verdict} maxdiff=${result.maxDiff.toExponential(2)} maxerr=${result.maxError.toExponential(2)} (tol ${tolerance.toExponential(0)})`);
}
