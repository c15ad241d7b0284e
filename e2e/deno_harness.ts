// The GPU test harness in Deno (wgpu and naga) instead of a page: e2e/deno_page.ts bundles this file with Vite,
// starts `deno run --unstable-webgpu` on it and sends it the functions the specs pass to `harness.evaluate`,
// one JSON line each on stdin; each answer is one line on stdout that starts with MARK.
import * as checkpoint from './harness_checkpoint';
import * as kernels from './harness_kernels';
import * as layers from './harness_layers';
import * as model from './harness_model';
import * as products from './harness_products';
import * as shaders from './harness_shaders';
import * as tensors from './harness_tensors';
import { decode, encode } from './deno_wire';
import { lines, MARK } from '../src/cli/wire';

declare const Deno: { stdin: { readable: AsyncIterable<Uint8Array> } };

async function webgpu(): Promise<string> {
  if (!navigator.gpu) return 'navigator.gpu is undefined: Deno was started without --unstable-webgpu';
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter (no Vulkan driver?)';
  return `ok: ${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trimEnd();
}

const harness = { webgpu, ...checkpoint, ...kernels, ...layers, ...model, ...products, ...shaders, ...tensors };
Object.assign(globalThis, { window: globalThis, harness });
localStorage.clear(); // a fresh origin for each run, as Playwright gives each test (Deno keeps localStorage on disk)

for await (const line of lines(Deno.stdin.readable)) {
  const { id, fn, arg } = decode(line) as { id: number; fn: string; arg: unknown };
  try {
    const value: unknown = await (0, eval)(`(${fn})`)(arg);
    console.log(`${MARK}${encode({ id, value })}`);
  } catch (error) {
    console.log(`${MARK}${encode({ id, error: { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } })}`);
  }
}
