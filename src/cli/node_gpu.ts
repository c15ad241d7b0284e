// WebGPU in Node, for `npm run train -- --runtime node` and the Node tests: the `webgpu` package (Dawn's
// Node binding). On a Linux machine where no Vulkan driver gives an adapter (CPU-only machines such as CI;
// Dawn rejects Mesa's lavapipe), it uses the SwiftShader that Debian's Chromium ships. Dawn needs
// libvulkan.so.1 (Debian: libvulkan1).

import { existsSync, readdirSync } from 'node:fs';

/** The Vulkan driver file of the SwiftShader that Debian's Chromium ships. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const DRIVER_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** The `navigator.gpu` of Node, with WebGPU's global constants (GPUBufferUsage, ...) installed. */
export async function nodeGpu(): Promise<GPU> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  if (process.env.VK_ICD_FILENAMES !== undefined || !existsSync(SWIFTSHADER_ICD)) return create([]);
  const hasDriver = DRIVER_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).length > 0);
  if (hasDriver) {
    const gpu = create([]);
    if (await gpu.requestAdapter()) return gpu;
  }
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD; // read by the Vulkan loader when Dawn makes its next instance
  return create([]);
}
