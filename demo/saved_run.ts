// The run in progress, kept in the Origin Private File System so that a reload can resume it: the last
// checkpoint (from fit's onCheckpoint: weights, optimizer state, position in the epoch, PRNG states) and what
// the page needs to restart and redraw the run (its settings, the data's name, the charts so far). Both go
// into one file, written whole (a writable commits on close), so a reload never finds half of a pair:
// [u32 little-endian JSON length][JSON][checkpoint bytes].

import type { EpochStats } from '../src/index';
import type { Settings } from './form';

export interface SavedRun {
  settings: Settings;
  /** The data's name (Splits.name): resuming needs the same data. */
  dataset: string;
  /** Where the fit resumes: step `step` of epoch `epoch` (step 0: at its start). */
  at: { epoch: number; step: number };
  /** The charts so far: each finished epoch, and the loss points (step, loss). */
  epochs: EpochStats[];
  loss: [number, number][];
}

const FILE = 'webgpu-nn-run.bin';

export async function saveRun(checkpoint: Uint8Array, run: SavedRun): Promise<void> {
  const json = new TextEncoder().encode(JSON.stringify(run));
  const bytes = new Uint8Array(4 + json.length + checkpoint.length);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 4);
  bytes.set(checkpoint, 4 + json.length);
  const handle = await (await navigator.storage.getDirectory()).getFileHandle(FILE, { create: true });
  const writable = await handle.createWritable();
  await writable.write(bytes);
  await writable.close();
}

/** The saved run, or undefined if there is none (or it cannot be read: it is then discarded). */
export async function loadRun(): Promise<{ run: SavedRun; checkpoint: Uint8Array } | undefined> {
  try {
    const handle = await (await navigator.storage.getDirectory()).getFileHandle(FILE);
    const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
    const length = new DataView(bytes.buffer).getUint32(0, true);
    const run = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as SavedRun;
    return { run, checkpoint: bytes.subarray(4 + length) };
  } catch (error) {
    if ((error as DOMException).name !== 'NotFoundError') await discardRun();
    return undefined;
  }
}

export async function discardRun(): Promise<void> {
  try {
    await (await navigator.storage.getDirectory()).removeEntry(FILE);
  } catch {
    // none there, or no OPFS in this browser: nothing to discard
  }
}
