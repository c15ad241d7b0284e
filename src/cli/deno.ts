// `npm run train -- --runtime deno`: the session in Deno (the npm package `deno`), on wgpu, its WebGPU. This
// bundles src/cli/deno_entry.ts with Vite (shaders inlined), starts Deno on it, and relays its messages: progress
// to the printer, checkpoints to their file, the result and the saved model back to train.ts.

import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'vite';
import type { TrainConfig } from './args';
import { CliError } from './errors';
import { lines, MARK } from './wire';
import type { ToDeno } from './deno_entry';
import type { CheckpointIO, TrainEvent, TrainResult } from './session';

export const DENO = resolve('node_modules/.bin/deno');
const CACHE = resolve('node_modules/.cache/webgpu-nn');

type FromDeno =
  | { type: 'event'; event: TrainEvent }
  | { type: 'checkpoint'; base64: string; at: { epoch: number; step: number } }
  | { type: 'result'; result: TrainResult }
  | { type: 'model'; base64: string }
  | { type: 'error'; name: string; message: string };

/**
 * The adapter Deno finds through Vulkan alone, described ("65541 llvmpipe (LLVM 15.0.6, 256 bits)"): a GPU, or
 * Mesa's lavapipe; undefined when there is none (or only a SwiftShader that VK_ICD_FILENAMES names), or no Deno.
 */
export function denoVulkanAdapter(): string | undefined {
  if (!existsSync(DENO)) return undefined;
  const script = 'const a = await navigator.gpu.requestAdapter(); console.log(a ? `${a.info.vendor} ${a.info.description}` : "")';
  const probe = spawnSync(DENO, ['eval', '--unstable-webgpu', script], {
    env: { ...process.env, DENO_WEBGPU_BACKEND: 'vulkan', NO_COLOR: '1' }, encoding: 'utf8', timeout: 30_000,
  });
  const found = probe.stdout?.trim();
  return found && !/swiftshader/i.test(found) ? found : undefined;
}

/** Where bundleForDeno puts `entry`'s bundle. */
export const denoBundle = (entry: string) => join(CACHE, `${basename(entry, '.ts')}.js`);

/** Bundles `entry` for Deno with Vite (shaders inlined, as in the library's build); the bundle's path. */
export async function bundleForDeno(entry: string): Promise<string> {
  const bundle = denoBundle(entry);
  await build({
    configFile: false,
    logLevel: 'warn',
    build: { lib: { entry: resolve(entry), formats: ['es'], fileName: () => basename(bundle) }, outDir: CACHE, emptyOutDir: false, target: 'es2022', minify: false },
  });
  return bundle;
}

/** Deno running `script` (with `args`) with WebGPU and `permissions` (e.g. --allow-read=…), and nothing else. */
export function startDeno(script: string, permissions: string[], env: Record<string, string> = {}, args: string[] = []): ChildProcessWithoutNullStreams {
  if (!existsSync(DENO)) throw new CliError(`${DENO} is missing: npm install puts it there (the devDependency deno)`);
  return spawn(DENO, ['run', '--unstable-webgpu', ...permissions, '--no-prompt', script, ...args], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    detached: true, // its own process group: a terminal's Ctrl-C reaches the CLI, which stops the session cleanly
  });
}

export class DenoSession {
  private readonly waiting = new Map<string, (message: FromDeno) => void>();
  private failure: Error | undefined;
  private readonly stderr: string[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly onEvent: (event: TrainEvent) => void, private readonly checkpoints: CheckpointIO) {
    void (async () => {
      for await (const line of lines(child.stdout)) {
        if (line.startsWith(MARK)) this.receive(JSON.parse(line.slice(MARK.length)) as FromDeno);
        else console.log(line);
      }
    })();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk));
    child.on('exit', (code, signal) => this.fail(new Error(`Deno exited (${signal ?? code}) before the session ended: ${this.stderr.join('').slice(-2000)}`)));
  }

  /** Deno on the session's bundle, allowed to read the data and --resume's file (and nothing else). */
  static async start(files: Map<string, string>, run: TrainConfig, onEvent: (event: TrainEvent) => void, checkpoints: CheckpointIO): Promise<DenoSession> {
    const script = await bundleForDeno('src/cli/deno_entry.ts');
    const readable = [script, ...files.values(), ...(run.resume === undefined ? [] : [run.resume])].map((path) => resolve(path));
    return new DenoSession(startDeno(script, [`--allow-read=${readable.join(',')}`, '--allow-env']), onEvent, checkpoints);
  }

  /** Trains as `run` says; the session's result. */
  async train(run: TrainConfig, files: Map<string, string>): Promise<TrainResult> {
    const absolute = Object.fromEntries([...files].map(([name, path]) => [name, resolve(path)]));
    const config = { ...run, ...(run.resume === undefined ? {} : { resume: resolve(run.resume) }) };
    const answer = await this.ask('result', { type: 'train', config, files: absolute });
    return (answer as { result: TrainResult }).result;
  }

  stop(): void {
    this.send({ type: 'stop' });
  }

  async save(): Promise<Uint8Array> {
    return Buffer.from(((await this.ask('model', { type: 'save' })) as { base64: string }).base64, 'base64');
  }

  close(): void {
    this.child.removeAllListeners('exit');
    this.child.kill();
  }

  private ask(answer: 'result' | 'model', message: ToDeno): Promise<FromDeno> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(answer, resolve);
      this.waiting.set('error', (message) => {
        const { name, message: text } = message as { name: string; message: string };
        reject(new Error(name === 'Error' || name === 'CliError' ? text : `${name}: ${text}`)); // as the browser runtime prints it
      });
      this.send(message);
    });
  }

  private send(message: ToDeno): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  private receive(message: FromDeno): void {
    if (message.type === 'event') this.onEvent(message.event);
    else if (message.type === 'checkpoint') this.checkpoints.save?.(Buffer.from(message.base64, 'base64'), message.at);
    else this.waiting.get(message.type)?.(message);
  }

  private fail(error: Error): void {
    this.failure = error;
    this.waiting.get('error')?.({ type: 'error', name: 'Error', message: error.message });
  }
}
