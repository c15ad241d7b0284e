// GPU tests: headless system Chromium with WebGPU (SwiftShader when there is no GPU), pages served by Vite.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './src/cli/chromium';

const PORT = 5174;
/** The demo's dev server, for e2e/demo.spec.ts. */
export const DEMO_URL = 'http://127.0.0.1:5175/';

export default defineConfig<{ runtime: 'chromium' | 'deno' }>({
  testDir: 'e2e',
  timeout: 180_000,
  workers: 1, // SwiftShader already uses every core; parallel pages only thrash
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  globalSetup: './e2e/global_setup.ts', // bundles the harness for Deno
  projects: [
    { name: 'chromium', testIgnore: 'demo_firefox.spec.ts' },
    // The demo in Firefox (wgpu), through puppeteer-core: e2e/demo_firefox.spec.ts.
    { name: 'firefox', testMatch: 'demo_firefox.spec.ts' },
    // The same kernel and training cases on a second implementation, wgpu and naga (as in Firefox), through Deno:
    // the cases whose outcome depends on the implementation (every kernel variant, whole steps, seeded runs,
    // checkpoints), not the API's checks, which Chromium covers.
    { name: 'deno', use: { runtime: 'deno' }, testMatch: ['shaders.spec.ts', 'kernels.spec.ts', 'layers.spec.ts', 'convnet.spec.ts', 'training.spec.ts', 'checkpoint.spec.ts'] },
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
  },
  webServer: [
    {
      command: `npx vite --port ${PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${PORT}/e2e/harness.html`,
      reuseExistingServer: !process.env.CI,
    },
    {
      command: 'npx vite --mode demo --port 5175 --strictPort --host 127.0.0.1',
      url: DEMO_URL,
      reuseExistingServer: !process.env.CI,
    },
  ],
});
