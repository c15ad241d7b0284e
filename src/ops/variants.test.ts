// Every shader module the engine can build (src/ops/variants.ts) is valid WGSL to naga, the compiler of wgpu
// (Firefox, Deno), through the npm package naga-wasm. e2e/shaders.spec.ts compiles the same modules, and builds
// their pipelines, on Tint (Chromium) and on Deno's wgpu.
import { parseWgsl, validate } from 'naga-wasm';
import { beforeAll, expect, test } from 'vitest';
import { everyShaderModule, type ShaderModule } from './variants';

let modules: ShaderModule[];
beforeAll(async () => {
  modules = await everyShaderModule();
});

test('the engine can build well over a hundred distinct modules, every kernel file among them', async () => {
  const files = new Set(modules.flatMap((m) => m.label.split('+').map((part) => part.replace(/\(.*$/, ''))));
  console.log(`${modules.length} modules from ${files.size} files`);
  expect(modules.length).toBeGreaterThan(100);
  expect([...files].sort()).toEqual(['batch_norm.wgsl', 'batch_norm_stats.wgsl', 'bias_grad.wgsl', 'conv2d.wgsl', 'conv_direct.wgsl', 'gather.wgsl', 'gemm.wgsl',
    'matmul_backward_input.wgsl', 'matmul_backward_weight.wgsl', 'matmul_forward.wgsl', 'matmul_texels.wgsl', 'nonzero.wgsl', 'optimizer.wgsl', 'pointwise.wgsl',
    'pool.wgsl', 'softmax.wgsl', 'texels.wgsl', 'winograd.wgsl', 'winograd_grad.wgsl', 'winograd_product.wgsl', 'winograd_tile.wgsl',
    'winograd_weight_grad.wgsl']);
});

/** One module per distinct source. */
const sources = () => [...new Map(modules.map((m) => [m.code, m])).values()];

test('naga parses and validates every module', () => {
  const failures: string[] = [];
  for (const m of sources()) {
    try {
      using parsed = parseWgsl(m.code);
      using info = validate(parsed);
      void info;
    } catch (error) {
      failures.push(`${m.label}: ${(error as { formatted?: string }).formatted ?? String(error)}`);
    }
  }
  console.log(`naga: ${sources().length - failures.length} of ${sources().length} sources valid`);
  expect(failures.join('\n\n')).toBe('');
});
