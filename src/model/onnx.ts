// A model as an ONNX model (a ModelProto, opset 13) that ONNX Runtime and other tools run:
//   input (N, C, H, W) float, or (N, features) for a model on vectors, pixels in [0, 1]
//   per layer i: Conv (layers.{i}.weight, .bias, with its strides and pads), MaxPool, AveragePool, Flatten or
//   Gemm (transB = 1), then its activation's node; dropout passes values through, as in inference
//   Softmax(axis = 1) -> probabilities (N, classes)
// The protobuf wire format is written by hand: five field kinds are all this needs (see ProtoWriter).

import { Conv2dLayer } from '../layers/conv2d';
import type { Layer } from '../layers/layer';
import type { Activation } from '../ops/activation';
import type { ModelSpec } from './architecture';
import type { Weights } from './config';

const IR_VERSION = 7;
const OPSET = 13;
const FLOAT = 1; // TensorProto.DataType and TensorProto elem_type
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

/** The ONNX file of a model with these weights. */
export function encodeOnnx(spec: ModelSpec, layers: Layer[], values: Weights): Uint8Array {
  const graph = new ProtoWriter();
  const [channels, height, width] = spec.input;
  const image = height * width > 1 || layers.some((layer) => layer.spec.type === 'conv2d' || layer.spec.type.endsWith('Pool2d'));
  let x = 'input';
  let flat = !image; // whether x is (N, features) rather than (N, C, H, W)
  const add = (opType: string, inputs: string[], output: string, attributes: ProtoWriter[] = []) => {
    graph.message(1, node(opType, inputs, output, attributes));
    x = output;
  };
  let param = 0;
  for (const layer of layers) {
    const at = `layers.${layer.index}`;
    const s = layer.spec;
    if (layer instanceof Conv2dLayer) { // pads: [top, left, bottom, right], ONNX's begins then ends
      add('Conv', [x, `${at}.weight`, `${at}.bias`], `${at}.conv`,
        [intsAttribute('kernel_shape', layer.spec.kernelSize), intsAttribute('strides', layer.spec.stride), intsAttribute('pads', layer.pads)]);
    } else if (s.type === 'maxPool2d' || s.type === 'avgPool2d') {
      add(s.type === 'maxPool2d' ? 'MaxPool' : 'AveragePool', [x], `${at}.pool`, [intsAttribute('kernel_shape', s.size), intsAttribute('strides', s.stride)]);
    } else if (s.type === 'flatten' || (s.type === 'dense' && !flat)) {
      add('Flatten', [x], `${at}.flatten`, [intAttribute('axis', 1)]);
      flat = true;
    }
    if (s.type === 'dense') add('Gemm', [x, `${at}.weight`, `${at}.bias`], `${at}.gemm`, [intAttribute('transB', 1)]);
    if (s.activation.name !== 'identity') add(activationOp(s.activation), [x], `${at}.${s.activation.name}`, activationAttributes(s.activation));
    if (layer.params) {
      graph.message(5, tensor(`${at}.weight`, layer.params.weight, values.weights[param]));
      graph.message(5, tensor(`${at}.bias`, layer.params.bias, values.biases[param]));
      param++;
    }
  }
  add('Softmax', [x], 'probabilities', [intAttribute('axis', 1)]);
  graph.string(2, 'webgpu-nn');
  graph.message(11, valueInfo('input', image ? [channels, height, width] : [channels]));
  graph.message(12, valueInfo('probabilities', [layers[layers.length - 1].output.channels]));

  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'webgpu-nn');
  model.message(7, graph);
  model.message(8, new ProtoWriter().string(1, '').int(2, OPSET)); // the default domain, ai.onnx
  return model.finish();
}

function activationOp(activation: Activation): string {
  const ops = { leaky_relu: 'LeakyRelu', elu: 'Elu', sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', identity: 'Identity' };
  return ops[activation.name];
}

function activationAttributes(activation: Activation): ProtoWriter[] {
  return activation.name === 'leaky_relu' || activation.name === 'elu' ? [floatAttribute('alpha', activation.alpha)] : [];
}

/** NodeProto: inputs (1), output (2), name (3), op_type (4), attributes (5). */
function node(opType: string, inputs: string[], output: string, attributes: ProtoWriter[] = []): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of inputs) w.string(1, input);
  w.string(2, output).string(3, output).string(4, opType);
  for (const attribute of attributes) w.message(5, attribute);
  return w;
}

/** AttributeProto: name (1), f (2), i (3) or ints (8), type (20). */
const intAttribute = (name: string, value: number) => new ProtoWriter().string(1, name).int(3, value).int(20, ATTRIBUTE_INT);
const floatAttribute = (name: string, value: number) => new ProtoWriter().string(1, name).float(2, value).int(20, ATTRIBUTE_FLOAT);
function intsAttribute(name: string, values: number[]): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  for (const value of values) w.int(8, value);
  return w.int(20, ATTRIBUTE_INTS);
}

/** TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian floats). */
function tensor(name: string, dims: number[], data: Float32Array): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.int(1, d);
  const raw = new Uint8Array(data.length * 4);
  new Float32Array(raw.buffer).set(data); // WebGPU and ONNX are both little-endian; so is every browser host
  return w.int(2, FLOAT).string(8, name).bytes(9, raw);
}

/** ValueInfoProto of a float (N, ...dims) tensor: name (1), type (2) { tensor_type (1) { elem_type (1), shape (2) } }. */
function valueInfo(name: string, dims: number[]): ProtoWriter {
  // TensorShapeProto: dim (1) { dim_value (1) or dim_param (2) }: (N, ...dims)
  const shape = new ProtoWriter().message(1, new ProtoWriter().string(2, 'N'));
  for (const d of dims) shape.message(1, new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/**
 * Protobuf's wire format, the parts ONNX needs: varints (wire type 0), 32-bit floats (5) and
 * length-delimited strings, bytes and messages (2). Fields are written in the order they are called.
 */
class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  int(field: number, value: number): this {
    return this.tag(field, 0).varint(value);
  }

  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.tag(field, 5).parts.push(bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.length).parts.push(value);
    return this;
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** A non-negative integer below 2^53, seven bits a byte, low bits first. */
  private varint(value: number): this {
    const bytes: number[] = [];
    while (value >= 0x80) {
      bytes.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    bytes.push(value);
    this.parts.push(Uint8Array.from(bytes));
    return this;
  }
}
