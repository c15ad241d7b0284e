// Runs a TypeScript entry point through Vite's module runner (no extra TypeScript runtime needed):
//   node scripts/run.mjs src/cli/train.ts [args...]   -> calls its exported main(args)
import { runnerImport } from 'vite';
import { resolve } from 'node:path';

const [entry, ...args] = process.argv.slice(2);
const { module } = await runnerImport(resolve(entry), { logLevel: 'error', configFile: false });
process.exitCode = (await module.main(args)) ?? 0;
