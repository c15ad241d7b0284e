// Vite builds the library (dist/webgpu-nn.js, ESM, shaders inlined as text) and serves the demo and
// the GPU test harness; Vitest runs the unit tests in src/**/*.test.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  build: {
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: 'webgpu-nn' },
    outDir: 'dist',
    sourcemap: true,
    target: 'es2022',
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
