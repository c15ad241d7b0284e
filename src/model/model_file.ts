// An MLP as a safetensors file: tensors layers.{l}.weight (out, in) and layers.{l}.bias (out), and in
// __metadata__ the architecture (and the last fit's settings) as JSON strings. Files from elsewhere
// (e.g. PyTorch's nn.Linear stack saved with safetensors) load too: without metadata, the layer sizes
// come from the shapes and the activation is relu.

import { ModelFormatError, WebGPUNNError } from '../errors';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../data/safetensors';
import { type MLPOptions, type MLPSpec, resolveMLPOptions, type Weights } from './config';

export function encodeModel(spec: MLPSpec, values: Weights, training: object | undefined): Uint8Array {
  const tensors: NamedTensor[] = values.weights.flatMap((weight, l) => [
    { name: `layers.${l}.weight`, shape: [spec.layers[l + 1], spec.layers[l]], data: weight },
    { name: `layers.${l}.bias`, shape: [spec.layers[l + 1]], data: values.biases[l] },
  ]);
  const architecture = { layers: spec.layers, activation: spec.activation, loss: spec.loss, init: spec.init, seed: spec.seed };
  const metadata: Record<string, string> = { format: 'webgpu-nn', architecture: JSON.stringify(architecture) };
  if (training) metadata.training = JSON.stringify(training);
  return encodeSafetensors(tensors, metadata);
}

export function decodeModel(file: string, bytes: Uint8Array): { spec: MLPSpec; values: Weights; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(file, bytes);
  const shape = (name: string) => tensors.get(name)?.shape;
  let options: MLPOptions;
  if (metadata.architecture !== undefined) {
    try {
      options = JSON.parse(metadata.architecture) as MLPOptions;
      const activation = options.activation as unknown as { name: string; alpha: number } | string;
      // Saved as { name, alpha }; accept it back in the option form createMLP takes.
      if (typeof activation === 'object' && activation !== null) {
        options.activation = activation.name === 'leaky_relu' ? { name: 'leaky_relu', slope: activation.alpha }
          : activation.name === 'elu' ? { name: 'elu', alpha: activation.alpha } : (activation.name as MLPOptions['activation']);
      }
    } catch (cause) {
      throw new ModelFormatError(file, `__metadata__.architecture is not valid JSON: ${(cause as Error).message}`);
    }
  } else {
    const layers: number[] = [];
    for (let l = 0; shape(`layers.${l}.weight`); l++) {
      const [out, inp] = shape(`layers.${l}.weight`)!;
      if (l === 0) layers.push(inp);
      layers.push(out);
    }
    if (layers.length < 2) throw new ModelFormatError(file, 'has no tensor layers.0.weight and no __metadata__.architecture');
    options = { layers };
  }
  let spec: MLPSpec;
  try {
    spec = resolveMLPOptions(options);
  } catch (error) {
    if (error instanceof WebGPUNNError) throw new ModelFormatError(file, `architecture: ${error.message}`);
    throw error;
  }
  const L = spec.layers.length - 1;
  const expected = new Map<string, number[]>();
  for (let l = 0; l < L; l++) {
    expected.set(`layers.${l}.weight`, [spec.layers[l + 1], spec.layers[l]]);
    expected.set(`layers.${l}.bias`, [spec.layers[l + 1]]);
  }
  for (const name of tensors.keys()) {
    if (!expected.has(name)) throw new ModelFormatError(file, `tensor ${name} is not part of a ${spec.layers.join('-')} MLP`);
  }
  for (const [name, want] of expected) {
    const got = shape(name);
    if (!got) throw new ModelFormatError(file, `tensor ${name} is missing`);
    if (got.join(',') !== want.join(',')) throw new ModelFormatError(file, `tensor ${name} has shape [${got}]; the architecture needs [${want}]`);
    const data = tensors.get(name)!.data;
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new ModelFormatError(file, `tensor ${name}[${bad}] is ${data[bad]}; weights must be finite`);
  }
  const get = (name: string) => tensors.get(name)!.data;
  return {
    spec,
    values: { weights: [...Array(L).keys()].map((l) => get(`layers.${l}.weight`)), biases: [...Array(L).keys()].map((l) => get(`layers.${l}.bias`)) },
    metadata,
  };
}
