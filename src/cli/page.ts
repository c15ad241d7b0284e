// The browser half of `npm run train`: runs the session (session.ts) on the IDX files the CLI serves under
// /__data__/, reporting through window.report (a function the CLI exposes).

import { createEngine, type MLP } from '../index';
import type { TrainConfig } from './args';
import { runSession, type TrainEvent, type TrainResult } from './session';

declare global {
  interface Window {
    report: (event: TrainEvent) => Promise<void>;
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
  const bytes = await model.save();
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};

window.runTraining = async (config) => {
  const engine = await createEngine();
  const session = await runSession(engine, config, (file) => `/__data__/${file}`, (event) => void window.report(event), stop.signal);
  model = session.model;
  return session.result;
};
