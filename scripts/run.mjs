// Runs a TypeScript entry point through Vite's module loader (no extra TypeScript runtime needed):
//   node scripts/run.mjs src/cli/train.ts [args...]   -> calls its exported main(args)
// The loader stays open until main returns, so the entry point may import modules lazily.
import { createServer } from 'vite';
import { resolve } from 'node:path';

const [entry, ...args] = process.argv.slice(2);
const server = await createServer({
  configFile: false, logLevel: 'error', appType: 'custom', optimizeDeps: { noDiscovery: true },
  server: { middlewareMode: true, hmr: false, watch: null },
});
try {
  const module = await server.ssrLoadModule(resolve(entry));
  process.exitCode = (await module.main(args)) ?? 0;
} finally {
  await server.close();
}
