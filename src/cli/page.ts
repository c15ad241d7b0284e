// The browser half of `npm run train`: runs the session (session.ts) on the IDX files the CLI serves under
// /__data__/, reporting through window.report (a function the CLI exposes).

import { createEngine, type MLP } from '../index';
import type { TrainConfig } from './args';
import { runSession, type TrainEvent, type TrainResult } from './session';
import { base64 } from './wire';

declare global {
  interface Window {
    report: (event: TrainEvent) => Promise<void>;
    saveCheckpoint: (base64: string, at: { epoch: number; step: number }) => Promise<void>;
    runTraining: (config: TrainConfig) => Promise<TrainResult>;
    stopTraining: () => void;
    saveModel: () => Promise<string>;
  }
}

let model: MLP | undefined;
const stop = new AbortController();

window.stopTraining = () => stop.abort();

window.saveModel = async () => {
  if (!model) throw new Error('no model yet');
  return base64(await model.save());
};

window.runTraining = async (config) => {
  const engine = await createEngine();
  const resumeFrom = config.resume === undefined ? undefined : new Uint8Array(await (await fetch('/__data__/resume')).arrayBuffer());
  const save = config.checkpoint === undefined ? undefined : (bytes: Uint8Array, at: { epoch: number; step: number }) => void window.saveCheckpoint(base64(bytes), at);
  const session = await runSession(engine, config, (file) => `/__data__/${file}`, (event) => void window.report(event), stop.signal, { resumeFrom, save });
  model = session.model;
  return session.result;
};
