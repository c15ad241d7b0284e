// Which Mesa lavapipe the Vulkan loader would load, for `--runtime auto`. WebGPU does not tell lavapipe 22 from 25
// (both describe themselves as "llvmpipe (LLVM 15.0.6, 256 bits)"), yet measured here lavapipe 22.3 (Debian 12's)
// trains 10× slower than 25.0 and even slower than SwiftShader. The loader's manifest of lavapipe says which
// Vulkan it implements: 1.1 in Mesa 22.3, 1.3 up to Mesa 24, 1.4 from Mesa 25.0.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The first Vulkan version of a lavapipe that trains faster than SwiftShader (Mesa 25.0's). */
const FAST_LAVAPIPE_VULKAN = [1, 4];

/** Where the Vulkan loader looks for driver manifests: the files its environment names, else its folders. */
export function manifestFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const named = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  if (named) return named.split(':').filter((file) => file);
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':');
  const dirs = ['/etc/vulkan/icd.d', ...dataDirs.map((dir) => join(dir, 'vulkan/icd.d'))];
  return dirs.filter((dir) => existsSync(dir)).flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => join(dir, name)));
}

/** The highest Vulkan version ("1.4.305") that a lavapipe manifest among `files` declares; undefined if none is lavapipe. */
export function lavapipeVulkan(files: string[]): string | undefined {
  const versions = files.flatMap((file) => {
    try {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { ICD?: { library_path?: unknown; api_version?: unknown } };
      const { library_path: library, api_version: version } = manifest.ICD ?? {};
      return typeof library === 'string' && /libvulkan_lvp/.test(library) && typeof version === 'string' && /^\d+(\.\d+)*$/.test(version) ? [version] : [];
    } catch {
      return []; // not a manifest the loader could read either
    }
  });
  return versions.sort((a, b) => compareVersions(b, a))[0];
}

/**
 * Why the Vulkan adapter `adapter` (as denoVulkanAdapter describes it) is slower than SwiftShader, or undefined
 * where it is not lavapipe or is a lavapipe from Mesa 25 on.
 */
export function slowLavapipe(adapter: string, files = manifestFiles()): string | undefined {
  if (!/llvmpipe/i.test(adapter)) return undefined;
  const version = lavapipeVulkan(files);
  if (version === undefined) return 'lavapipe found, but no manifest says which Mesa it is from';
  if (compareVersions(version, FAST_LAVAPIPE_VULKAN.join('.')) >= 0) return undefined;
  return `lavapipe implements Vulkan ${version}, so it is older than Mesa 25 and trains slower than SwiftShader`;
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split('.').map(Number));
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
