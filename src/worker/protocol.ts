// The messages between a WorkerEngine (client.ts, the app's thread) and the engine in a Web Worker (host.ts).
// Typed arrays travel by structured clone; functions never travel: fit's callbacks become events.

/** The app asks the worker to run `method` on the engine (no model) or on model `model`. */
export interface CallMessage {
  type: 'call';
  id: number;
  model?: number;
  method: string;
  args: unknown[];
}

export type Request =
  | CallMessage
  /** fit call `id`'s signal aborted. */
  | { type: 'abort'; id: number }
  /** The app's onBatch for fit call `id` has finished (the worker waits for it: that is how pause works). */
  | { type: 'ack'; id: number };

export type Reply =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  /** Progress of fit call `id`: an onEpoch, onBatch, onRecovery, onCheckpoint or onProfile call in the worker. */
  | { type: 'event'; id: number; name: FitEvent; data: unknown };

export type FitEvent = 'epoch' | 'batch' | 'recovery' | 'checkpoint' | 'profile';

/** An error's class name, message and fields (argument, dataset, weights, ...), rebuilt as the same class. */
export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}
