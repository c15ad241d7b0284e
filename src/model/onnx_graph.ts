// The ONNX graph a model's layers add their nodes to (each layer's onnx(), src/layers/), and the protobuf wire
// format written by hand: five field kinds are all ONNX needs (see ProtoWriter). src/model/onnx.ts walks the
// layers and wraps the graph in a ModelProto.

import type { Activation } from '../ops/activation';

const FLOAT = 1; // TensorProto.DataType and TensorProto elem_type
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

/** A GraphProto being written: nodes in the order they are added, and initializers. */
export class OnnxGraph {
  readonly proto = new ProtoWriter();
  /** The value the next node reads: the graph's input, then each node's output. */
  x = 'input';

  /** `flat`: whether x is (N, features) rather than (N, C, H, W). */
  constructor(public flat: boolean) {}

  /** Adds a node reading `inputs` whose output, named `output`, is the new x. */
  add(opType: string, inputs: string[], output: string, attributes: ProtoWriter[] = []): void {
    this.proto.message(1, node(opType, inputs, output, attributes));
    this.x = output;
  }

  /** Makes x (N, features), as torch.flatten orders them, unless it already is. */
  flatten(at: string): void {
    if (this.flat) return;
    this.add('Flatten', [this.x], `${at}.flatten`, [intAttribute('axis', 1)]);
    this.flat = true;
  }

  /** Adds a float initializer (a tensor the nodes read by its name). */
  initializer(name: string, dims: number[], data: Float32Array): void {
    this.proto.message(5, tensor(name, dims, data));
  }

  /** Adds an activation's node, unless it is the identity. */
  activation(at: string, a: Activation): void {
    if (a.name !== 'identity') this.add(activationOp(a), [this.x], `${at}.${a.name}`, activationAttributes(a));
  }
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
export const intAttribute = (name: string, value: number) => new ProtoWriter().string(1, name).int(3, value).int(20, ATTRIBUTE_INT);
export const floatAttribute = (name: string, value: number) => new ProtoWriter().string(1, name).float(2, value).int(20, ATTRIBUTE_FLOAT);
export function intsAttribute(name: string, values: number[]): ProtoWriter {
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
export function valueInfo(name: string, dims: number[]): ProtoWriter {
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
export class ProtoWriter {
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
