// A stand-in for a Playwright page that runs the harness in Deno (wgpu, naga) instead of Chromium (Dawn, Tint):
// `evaluate(fn, arg)` sends fn's source and arg to e2e/deno_harness.ts, as page.evaluate does to the page.
// Deno comes from the npm package `deno`. Its wgpu runs on Vulkan: here Chromium's SwiftShader (the same CPU
// driver the Chromium tests use, so a difference is the implementation's), or the driver DENO_VK_ICD names.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bundleForDeno, denoBundle, startDeno } from '../src/cli/deno';
import { lines, MARK } from '../src/cli/wire';
import { SWIFTSHADER_ICD } from '../src/cli/node_gpu';
import { decode, encode } from './deno_wire';

const HARNESS = 'e2e/deno_harness.ts';

/** Bundles e2e/deno_harness.ts for Deno (the Playwright global setup, e2e/global_setup.ts, calls this). */
export function buildDenoHarness(): Promise<string> {
  return bundleForDeno(HARNESS);
}

export class DenoPage {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  /** What the harness printed besides its answers (its console), and what Deno printed on stderr. */
  readonly output: string[] = [];
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    void (async () => {
      for await (const line of lines(child.stdout)) {
        if (line.startsWith(MARK)) this.answer(line.slice(MARK.length));
        else {
          this.output.push(line);
          console.log(line);
        }
      }
    })();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.output.push(chunk));
    child.on('exit', (code, signal) => {
      this.exited = `Deno exited (${signal ?? code}): ${this.output.join('').slice(-2000)}`;
      for (const { reject } of this.waiting.values()) reject(new Error(this.exited));
      this.waiting.clear();
    });
  }

  /** Deno on the harness bundle; relative URLs (the bundled MNIST files) resolve against `baseURL`, the test server. */
  static start(baseURL: string): DenoPage {
    const script = denoBundle(HARNESS);
    if (!existsSync(script)) throw new Error(`${script} is missing: the Playwright global setup (e2e/global_setup.ts) makes it`);
    const icd = process.env.DENO_VK_ICD ?? (existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : undefined);
    const permissions = ['--allow-env', '--allow-read', `--allow-net=${new URL(baseURL).host}`, `--location=${baseURL}`];
    return new DenoPage(startDeno(script, permissions, icd ? { VK_ICD_FILENAMES: icd } : {}));
  }

  /** Runs `fn(arg)` in Deno, as page.evaluate runs it in a page; its error is rethrown here with its name. */
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.next++;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.stdin.write(`${encode({ id, fn: fn.toString(), arg })}\n`);
    });
  }

  close(): void {
    this.child.kill();
  }

  private answer(text: string): void {
    const { id, value, error } = decode(text) as { id: number; value?: unknown; error?: { name: string; message: string; stack?: string } };
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    if (!waiter) return;
    if (!error) return waiter.resolve(value);
    const rethrown = new Error(`${error.name}: ${error.message}\n(in Deno) ${error.stack ?? ''}`);
    rethrown.name = error.name;
    waiter.reject(rethrown);
  }
}
