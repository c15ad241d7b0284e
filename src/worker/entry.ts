// The module to start a Web Worker with (published as `webgpu-nn/worker`): it serves an engine to its creator.
import { serveEngine, type WorkerScope } from './host';

serveEngine(self as unknown as WorkerScope);
