// lavapipe.ts: telling a fast lavapipe (Mesa 25's, Vulkan 1.4) from an old one by the loader's manifests.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { lavapipeVulkan, manifestFiles, slowLavapipe } from './lavapipe';

const dir = mkdtempSync(join(tmpdir(), 'icd-'));
function manifest(name: string, library: string, version: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ file_format_version: '1.0.0', ICD: { api_version: version, library_path: library } }));
  return file;
}
// As Debian 12 (Mesa 22.3.6) and its bookworm-backports (Mesa 25.0.7) install them.
const mesa22 = manifest('lvp_icd.x86_64.json', '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so', '1.1.230');
const mesa25 = manifest('lvp_icd.json', 'libvulkan_lvp.so', '1.4.305');
const intel = manifest('intel_icd.json', 'libvulkan_intel.so', '1.4.305');
const damaged = join(dir, 'damaged.json');
writeFileSync(damaged, '{"ICD": ');
const LAVAPIPE = '65541 llvmpipe (LLVM 15.0.6, 256 bits)';

test('the lavapipe manifest gives its Vulkan version; other drivers and damaged files are passed over', () => {
  expect(lavapipeVulkan([intel, damaged, mesa22])).toBe('1.1.230');
  expect(lavapipeVulkan([mesa22, mesa25])).toBe('1.4.305');
  expect(lavapipeVulkan([intel, damaged, join(dir, 'missing.json')])).toBeUndefined();
  expect(lavapipeVulkan([manifest('odd.json', 'libvulkan_lvp.so', 'new')])).toBeUndefined();
});

test('lavapipe older than Mesa 25 is refused with the reason; Mesa 25 and GPUs are not', () => {
  expect(slowLavapipe(LAVAPIPE, [mesa22])).toMatch(/Vulkan 1\.1\.230.*older than Mesa 25/);
  expect(slowLavapipe(LAVAPIPE, [mesa25])).toBeUndefined();
  expect(slowLavapipe(LAVAPIPE, [manifest('lvp13.json', 'libvulkan_lvp.so', '1.3.290')])).toMatch(/1\.3\.290/);
  expect(slowLavapipe(LAVAPIPE, [intel])).toMatch(/no manifest/);
  expect(slowLavapipe('32902 Intel(R) UHD Graphics 770', [mesa22])).toBeUndefined();
});

test('the manifests are the files the environment names, else those in the loader folders', () => {
  expect(manifestFiles({ VK_ICD_FILENAMES: `${mesa22}:${mesa25}` })).toEqual([mesa22, mesa25]);
  expect(manifestFiles({ VK_DRIVER_FILES: mesa25, VK_ICD_FILENAMES: mesa22 })).toEqual([mesa25]);
  const share = join(dir, 'share');
  mkdirSync(join(share, 'vulkan/icd.d'), { recursive: true });
  writeFileSync(join(share, 'vulkan/icd.d/lvp_icd.json'), readFileSync(mesa25));
  writeFileSync(join(share, 'vulkan/icd.d/README'), 'not a manifest');
  const found = manifestFiles({ XDG_DATA_DIRS: `${join(dir, 'none')}:${share}` });
  expect(found).toContain(join(share, 'vulkan/icd.d/lvp_icd.json'));
  expect(found.filter((file) => file.startsWith(dir))).toEqual([join(share, 'vulkan/icd.d/lvp_icd.json')]);
});
