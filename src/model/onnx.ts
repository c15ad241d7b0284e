// A model as an ONNX model (a ModelProto, opset 13) that ONNX Runtime and other tools run:
//   input (N, C, H, W) float, or (N, features) for a model on vectors, pixels in [0, 1]
//   per layer i: its own nodes (Conv, MaxPool, Gemm, BatchNormalization, …; see each layer's onnx()) reading
//   its tensors layers.{i}.{name}, then its activation's node; dropout passes values through, as in inference
//   Softmax(axis = 1) -> probabilities (N, classes)

import type { Layer } from '../layers/layer';
import type { ModelSpec } from './architecture';
import { intAttribute, OnnxGraph, ProtoWriter, valueInfo } from './onnx_graph';

const IR_VERSION = 7;
const OPSET = 13;

/** The ONNX file of a model whose tensors (keyed `layers.{i}.{name}`, as in the model file) hold `values`. */
export function encodeOnnx(spec: ModelSpec, layers: Layer[], values: Record<string, Float32Array>): Uint8Array {
  const [channels, height, width] = spec.input;
  const image = height * width > 1 || layers.some((layer) => layer.takesImage);
  const graph = new OnnxGraph(!image);
  for (const layer of layers) {
    const at = `layers.${layer.index}`;
    layer.onnx(graph);
    graph.activation(at, layer.spec.activation);
    for (const t of layer.tensors) if (t.saved) graph.initializer(`${at}.${t.name}`, t.shape, values[`${at}.${t.name}`]);
  }
  graph.add('Softmax', [graph.x], 'probabilities', [intAttribute('axis', 1)]);
  const g = graph.proto;
  g.string(2, 'webgpu-nn');
  g.message(11, valueInfo('input', image ? [channels, height, width] : [channels]));
  g.message(12, valueInfo('probabilities', [layers[layers.length - 1].output.channels]));

  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'webgpu-nn');
  model.message(7, g);
  model.message(8, new ProtoWriter().string(1, '').int(2, OPSET)); // the default domain, ai.onnx
  return model.finish();
}
