// `npm run bench`'s runtime benchmark (bench_runtime.ts) in Deno: bench.ts bundles this file and runs it with the
// training IDX files' paths as arguments; it prints the result as one line starting with wire.ts's MARK.

import { createEngine, loadIdx } from '../index';
import { runtimeBench } from './bench_runtime';
import { MARK } from './wire';

declare const Deno: { args: string[]; readFileSync(path: string): Uint8Array<ArrayBuffer> };

const [images, labels] = Deno.args.map((path) => new File([Deno.readFileSync(path)], path));
const engine = await createEngine();
console.log(`${MARK}${JSON.stringify(await runtimeBench(engine, await loadIdx(images, labels)))}`);
engine.destroy();
