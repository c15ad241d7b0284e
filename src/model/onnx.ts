// An MLP as an ONNX model (a ModelProto, opset 13) that ONNX Runtime and other tools run:
//   input (N, layers[0]) float, pixels in [0, 1]
//   per layer l: Gemm(x, layers.{l}.weight, layers.{l}.bias, transB = 1), then the hidden activation
//   Softmax(axis = 1) -> probabilities (N, classes)
// The protobuf wire format is written by hand: five field kinds are all this needs (see ProtoWriter).

import type { Activation } from '../ops/matmul';
import type { MLPSpec, Weights } from './config';

const IR_VERSION = 7;
const OPSET = 13;
const FLOAT = 1; // TensorProto.DataType and TensorProto elem_type
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;

/** The ONNX file of a model with these weights. */
export function encodeOnnx(spec: MLPSpec, values: Weights): Uint8Array {
  const L = spec.layers.length - 1;
  const graph = new ProtoWriter();
  let x = 'input';
  for (let l = 0; l < L; l++) {
    const [weight, bias, gemm] = [`layers.${l}.weight`, `layers.${l}.bias`, `layers.${l}.gemm`];
    graph.message(1, node('Gemm', [x, weight, bias], gemm, [intAttribute('transB', 1)]));
    x = gemm;
    if (l < L - 1 && spec.activation.name !== 'identity') { // hidden layers only: the last feeds the softmax
      const activated = `layers.${l}.${spec.activation.name}`;
      graph.message(1, activationNode(spec.activation, x, activated));
      x = activated;
    }
  }
  graph.message(1, node('Softmax', [x], 'probabilities', [intAttribute('axis', 1)]));
  graph.string(2, 'webgpu-nn-mlp');
  for (let l = 0; l < L; l++) {
    graph.message(5, tensor(`layers.${l}.weight`, [spec.layers[l + 1], spec.layers[l]], values.weights[l]));
    graph.message(5, tensor(`layers.${l}.bias`, [spec.layers[l + 1]], values.biases[l]));
  }
  graph.message(11, valueInfo('input', spec.layers[0]));
  graph.message(12, valueInfo('probabilities', spec.layers[L]));

  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'webgpu-nn');
  model.message(7, graph);
  model.message(8, new ProtoWriter().string(1, '').int(2, OPSET)); // the default domain, ai.onnx
  return model.finish();
}

/** The node of a (non-identity) activation. */
function activationNode(activation: Activation, input: string, output: string): ProtoWriter {
  switch (activation.name) {
    case 'leaky_relu': return node('LeakyRelu', [input], output, [floatAttribute('alpha', activation.alpha)]);
    case 'elu': return node('Elu', [input], output, [floatAttribute('alpha', activation.alpha)]);
    case 'sigmoid': return node('Sigmoid', [input], output);
    case 'tanh': return node('Tanh', [input], output);
    case 'relu': return node('Relu', [input], output);
    case 'identity': throw new Error('identity has no node'); // the caller leaves it out
  }
}

/** NodeProto: inputs (1), output (2), name (3), op_type (4), attributes (5). */
function node(opType: string, inputs: string[], output: string, attributes: ProtoWriter[] = []): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of inputs) w.string(1, input);
  w.string(2, output).string(3, output).string(4, opType);
  for (const attribute of attributes) w.message(5, attribute);
  return w;
}

/** AttributeProto: name (1), f (2) or i (3), type (20). */
const intAttribute = (name: string, value: number) => new ProtoWriter().string(1, name).int(3, value).int(20, ATTRIBUTE_INT);
const floatAttribute = (name: string, value: number) => new ProtoWriter().string(1, name).float(2, value).int(20, ATTRIBUTE_FLOAT);

/** TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian floats). */
function tensor(name: string, dims: number[], data: Float32Array): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.int(1, d);
  const raw = new Uint8Array(data.length * 4);
  new Float32Array(raw.buffer).set(data); // WebGPU and ONNX are both little-endian; so is every browser host
  return w.int(2, FLOAT).string(8, name).bytes(9, raw);
}

/** ValueInfoProto of a float (N, width) tensor: name (1), type (2) { tensor_type (1) { elem_type (1), shape (2) } }. */
function valueInfo(name: string, width: number): ProtoWriter {
  // TensorShapeProto: dim (1) { dim_value (1) or dim_param (2) }: (N, width)
  const shape = new ProtoWriter().message(1, new ProtoWriter().string(2, 'N')).message(1, new ProtoWriter().int(1, width));
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
