// Vite builds the library (dist/webgpu-nn.js and dist/worker.js, ESM, shaders inlined as text), serves and builds the demo
// (`--mode demo`: demo/ -> dist/demo/, with the bundled MNIST files from data/ as static assets), and
// serves the GPU test harness; Vitest runs the unit tests.
import { defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) =>
  mode === 'demo'
    ? {
        root: 'demo',
        base: './',
        publicDir: '../data', // data/mnist/*.gz -> ./mnist/*.gz
        build: { outDir: '../dist/demo', emptyOutDir: true, target: 'es2022' },
        worker: { format: 'es' }, // the engine's module worker (src/worker/entry.ts)
      }
    : {
        build: {
          // The library, and the module a Web Worker starts from to serve it (webgpu-nn/worker)
          lib: { entry: { 'webgpu-nn': 'src/index.ts', worker: 'src/worker/entry.ts' }, formats: ['es'], fileName: (_, name) => `${name}.js` },
          outDir: 'dist',
          sourcemap: true,
          target: 'es2022',
        },
        test: { include: ['src/**/*.test.ts', 'demo/**/*.test.ts'] },
      },
);
