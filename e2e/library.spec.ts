// The built library (npm run build: dist/) works when imported by a plain page, with its type declarations.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

test('dist/webgpu-nn.js trains in a page and ships type declarations', async ({ page }) => {
  expect(existsSync('dist/webgpu-nn.js'), 'run `npm run build` first (npm test does)').toBe(true);
  const types = readFileSync('dist/types/index.d.ts', 'utf8');
  expect(types).toContain('createEngine');
  const bundle = readdirSync('dist').filter((f) => f.endsWith('.js')).map((f) => readFileSync(`dist/${f}`, 'utf8')).join('\n');
  expect(bundle).toContain('@compute @workgroup_size'); // shaders are inlined as text,
  expect(bundle).not.toMatch(/\?raw|new URL\(|import\(/); // never fetched or imported at run time

  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/e2e/library.html');
  await page.waitForFunction(() => 'libraryCheck' in window);
  const r = await page.evaluate(() => (window as unknown as { libraryCheck: () => Promise<Record<string, number | boolean | string[]>> }).libraryCheck());
  console.log(`bundle: loss ${r.first} -> ${r.last}, accuracy ${r.accuracy}; ConvNet accuracy ${r.cnnAccuracy}; error names ${r.names}`);
  expect(r.last as number).toBeLessThan(r.first as number);
  expect(r.accuracy as number).toBeGreaterThan(0.9);
  expect(r.typed).toBe(true);
  expect(r.names).toEqual(['ArgumentError', 'DatasetError', 'DivergenceError']);
  expect(r.cnnAccuracy as number).toBeGreaterThan(0.9);
  expect(errors).toEqual([]);
});
