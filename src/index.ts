// webgpu-nn: train neural networks on the GPU in a browser tab. The public API, and nothing else.

export { createEngine, Engine, type EngineOptions } from './engine';
export { MLP } from './model/mlp';
export { createWorkerEngine, WorkerEngine, WorkerMLP } from './worker/client';
export type { ActivationOption, BatchProgress, Dataset, EpochStats, FitOptions, MLPOptions, RecoveryEvent, Weights } from './model/config';
export { loadIdx, sliceDataset, type DataSource } from './data/load';
export { loadMnist, MNIST_FILES } from './data/mnist';
export type { ActivationName } from './ops/matmul';
export type { LossName } from './ops/softmax';
export type { OptimizerName } from './ops/optimizer';
export {
  ArgumentError,
  DataFormatError,
  DatasetError,
  DeviceLimitError,
  DeviceLostError,
  DivergenceError,
  DisposedError,
  GPUExecutionError,
  ModelFormatError,
  ShaderCompileError,
  WebGPUNNError,
  WebGPUUnavailableError,
} from './errors';
