// The Deno half of `npm run train -- --runtime deno`: runs the session (session.ts) on wgpu, Deno's WebGPU.
// The CLI (deno.ts) bundles this file, starts Deno on it, and talks to it in JSON lines: it sends `train`
// (the config and the IDX files' paths), `stop` and `save`; this sends each progress event, checkpoint and the
// result back, each a line starting with wire.ts's MARK (other lines are Deno's own output).

import { createEngine, type Model } from '../index';
import type { TrainConfig } from './args';
import { base64, lines, MARK } from './wire';
import { runSession } from './session';

declare const Deno: {
  stdin: { readable: AsyncIterable<Uint8Array> };
  readFileSync(path: string): Uint8Array<ArrayBuffer>;
};

export type ToDeno = { type: 'train'; config: TrainConfig; files: Record<string, string> } | { type: 'stop' } | { type: 'save' };

const send = (message: object) => console.log(`${MARK}${JSON.stringify(message)}`);

let model: Model | undefined;
const stop = new AbortController();

async function train(config: TrainConfig, files: Record<string, string>): Promise<void> {
  const engine = await createEngine();
  const resumeFrom = config.resume === undefined ? undefined : Deno.readFileSync(config.resume);
  const save = config.checkpoint === undefined ? undefined : (bytes: Uint8Array, at: { epoch: number; step: number }) => send({ type: 'checkpoint', base64: base64(bytes), at });
  const session = await runSession(engine, config, (file) => new File([Deno.readFileSync(files[file])], files[file]), (event) => send({ type: 'event', event }), stop.signal, { resumeFrom, save });
  model = session.model;
  send({ type: 'result', result: session.result });
}

for await (const line of lines(Deno.stdin.readable)) {
  const message = JSON.parse(line) as ToDeno;
  if (message.type === 'train') {
    train(message.config, message.files).catch((error: Error) => send({ type: 'error', name: error.name, message: error.message }));
  } else if (message.type === 'stop') {
    stop.abort();
  } else if (model) {
    send({ type: 'model', base64: base64(await model.save()) });
  }
}
