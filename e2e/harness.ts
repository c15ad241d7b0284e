// The page the GPU tests drive: it checks WebGPU once, then exposes the kernel and model cases.
import * as checkpoint from './harness_checkpoint';
import * as errors from './harness_errors';
import * as kernels from './harness_kernels';
import * as layers from './harness_layers';
import * as model from './harness_model';
import * as products from './harness_products';
import * as shaders from './harness_shaders';
import * as reliability from './harness_reliability';
import * as tensors from './harness_tensors';
import * as worker from './harness_worker';

async function webgpu(): Promise<string> {
  if (!navigator.gpu) return 'navigator.gpu is undefined: this browser was started without WebGPU (--enable-unsafe-webgpu?)';
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter';
  return `ok: ${adapter.info.vendor} ${adapter.info.architecture}`;
}

const harness = { webgpu, ...checkpoint, ...errors, ...kernels, ...layers, ...model, ...products, ...reliability, ...shaders, ...tensors, ...worker };
declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
