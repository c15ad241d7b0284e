// Every shader module the engine can build compiles on this project's WebGPU implementation with no error or
// warning: Tint (Chromium) and naga (Deno's wgpu). src/ops/variants.test.ts checks the same modules with naga
// on its own (naga-wasm).
import { expect, test } from './fixtures';

test('every shader module the engine can build compiles, and its pipelines build, with no error or warning', async ({ harness }) => {
  const r = await harness.evaluate(() => window.harness.compileEveryModule());
  console.log(`${r.adapter}: ${r.modules} modules, ${r.sources} distinct sources compiled, ${r.pipelines} pipelines built; ${r.failures.length} failures`);
  expect(r.failures.join('\n\n')).toBe('');
  expect(r.modules).toBeGreaterThan(100);
  expect(r.pipelines).toBeGreaterThan(r.sources);
});
