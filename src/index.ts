// webgpu-nn: train neural networks on the GPU in a browser tab. The public API, and nothing else.

export { createEngine, Engine, type EngineOptions } from './engine';
export { Model, Model as MLP } from './model/model';
export type { Inspection } from './model/inference';
export { createWorkerEngine, WorkerEngine, WorkerModel, WorkerModel as WorkerMLP } from './worker/client';
export type { BatchProgress, Dataset, EpochStats, FitOptions, RecoveryEvent, StepProfile, Tensors, Weights } from './model/config';
export type { MLPOptions, ModelOptions, ModelSpec } from './model/architecture';
export type { LayerOptions, LayerSpec } from './layers';
export { LAYER_SYNTAX, MNIST_CONVNET, MNIST_CONVNET_BN, parseLayers } from './layers/syntax';
export type { DenseOptions } from './layers/dense';
export type { Conv2dOptions, Padding } from './layers/conv2d';
export type { Pool2dOptions } from './layers/pool2d';
export type { ActivationLayerOptions } from './layers/activation';
export type { FlattenOptions } from './layers/flatten';
export type { DropoutOptions } from './layers/dropout';
export type { ActivationOption, Pair } from './layers/options';
export { loadIdx, sliceDataset, type DataSource } from './data/load';
export { loadMnist, MNIST_FILES } from './data/mnist';
export type { ActivationName } from './ops/activation';
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
  LayerSyntaxError,
  ModelFormatError,
  ShaderCompileError,
  WebGPUNNError,
  WebGPUUnavailableError,
} from './errors';
