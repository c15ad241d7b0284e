// Finds the Chromium (or Chrome) that npm run train and the GPU tests drive: $CHROMIUM_PATH first, then the usual places.
// Playwright's own browser downloads are not used: they are unreachable here and lack WebGPU headless.
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      'No Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install -y chromium`) ' +
        'or point CHROMIUM_PATH at a Chrome/Chromium binary with WebGPU (version 113 or newer).',
    );
  }
  return found;
}

/**
 * Flags for headless WebGPU: --enable-unsafe-webgpu turns WebGPU on (SwiftShader runs it where there is no GPU);
 * the others keep Chromium from reaching out to the network (updates, sync, QUIC) and from needing a sandbox
 * it cannot have when run as root.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
