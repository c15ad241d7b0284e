// The ONNX export, checked two independent ways: protobufjs decodes the file against the ONNX schema (the
// part of onnx.proto it uses, copied below) and we check the graph and every weight; then ONNX Runtime (wasm)
// runs it and its probabilities must match the CPU reference forward pass.
import * as ort from 'onnxruntime-web';
import protobuf from 'protobufjs';
import { describe, expect, test } from 'vitest';
import { Random } from '../random';
import * as reference from '../reference/mlp';
import { softmax } from '../reference/kernels';
import { type MLPOptions, resolveMLPOptions, type Weights } from './config';
import { encodeOnnx } from './onnx';

// From https://github.com/onnx/onnx/blob/main/onnx/onnx.proto (field numbers as published).
const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto { optional string name = 1; optional float f = 2; optional int64 i = 3; optional int32 type = 20; }
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3;
  optional string op_type = 4; repeated AttributeProto attribute = 5; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; optional string name = 8; optional bytes raw_data = 9; }
message TensorShapeProto { message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; } optional Tensor tensor_type = 1; }
message GraphProto { repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message ModelProto { optional int64 ir_version = 1; optional string producer_name = 2; optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8; }
`;
const ModelProto = protobuf.parse(ONNX_PROTO).root.lookupType('onnx.ModelProto');

/** Seeded weights for `options`, roughly Xavier-sized. */
function weightsFor(options: MLPOptions): Weights {
  const random = new Random(3);
  const { layers } = options;
  const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => random.normal() * scale);
  return {
    weights: layers.slice(1).map((out, l) => values(out * layers[l], Math.sqrt(2 / (out + layers[l])))),
    biases: layers.slice(1).map((out) => values(out, 0.1)),
  };
}

const CASES: [string, MLPOptions, string[]][] = [
  ['relu', { layers: [12, 9, 7, 4] }, ['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm', 'Softmax']],
  ['sigmoid', { layers: [12, 5, 3], activation: 'sigmoid' }, ['Gemm', 'Sigmoid', 'Gemm', 'Softmax']],
  ['tanh', { layers: [12, 5, 3], activation: 'tanh' }, ['Gemm', 'Tanh', 'Gemm', 'Softmax']],
  ['leaky_relu 0.2', { layers: [12, 5, 3], activation: { name: 'leaky_relu', slope: 0.2 } }, ['Gemm', 'LeakyRelu', 'Gemm', 'Softmax']],
  ['elu 0.7', { layers: [12, 5, 3], activation: { name: 'elu', alpha: 0.7 } }, ['Gemm', 'Elu', 'Gemm', 'Softmax']],
  ['identity', { layers: [12, 5, 3], activation: 'identity' }, ['Gemm', 'Gemm', 'Softmax']],
];

describe.each(CASES)('ONNX export, %s', (_, options, ops) => {
  const spec = resolveMLPOptions(options);
  const values = weightsFor(options);
  const file = encodeOnnx(spec, values);

  test('decodes with protobufjs to the expected graph and weights', () => {
    const model = ModelProto.toObject(ModelProto.decode(file), { longs: Number, bytes: Array }) as any;
    expect(model.irVersion).toBe(7);
    expect(model.opsetImport).toEqual([{ domain: '', version: 13 }]);
    const graph = model.graph;
    expect(graph.node.map((n: any) => n.opType)).toEqual(ops);
    const gemms = graph.node.filter((n: any) => n.opType === 'Gemm');
    gemms.forEach((n: any, l: number) => {
      expect(n.input.slice(1)).toEqual([`layers.${l}.weight`, `layers.${l}.bias`]);
      expect(n.attribute).toEqual([{ name: 'transB', i: 1, type: 2 }]);
    });
    // each node reads the previous node's output; the first reads the graph input, the last is the graph output
    graph.node.forEach((n: any, i: number) => expect(n.input[0]).toBe(i === 0 ? 'input' : graph.node[i - 1].output[0]));
    expect(graph.node.at(-1).output).toEqual(['probabilities']);
    expect(graph.node.at(-1).attribute).toEqual([{ name: 'axis', i: 1, type: 2 }]);
    const alphaNode = graph.node.find((n: any) => n.opType === 'LeakyRelu' || n.opType === 'Elu');
    if (alphaNode) expect(alphaNode.attribute[0].f).toBeCloseTo(spec.activation.alpha, 6);
    const dims = (v: any) => v.type.tensorType.shape.dim.map((d: any) => d.dimParam ?? d.dimValue);
    expect(dims(graph.input[0])).toEqual(['N', spec.layers[0]]);
    expect(dims(graph.output[0])).toEqual(['N', spec.layers.at(-1)]);
    spec.layers.slice(1).forEach((out, l) => {
      for (const [kind, shape, expected] of [['weight', [out, spec.layers[l]], values.weights[l]], ['bias', [out], values.biases[l]]] as const) {
        const tensor = graph.initializer.find((t: any) => t.name === `layers.${l}.${kind}`);
        expect(tensor.dims).toEqual(shape);
        expect(tensor.dataType).toBe(1);
        const data = new Float32Array(Uint8Array.from(tensor.rawData).buffer);
        expect(Array.from(data)).toEqual(Array.from(expected));
      }
    });
  });

  test('runs in ONNX Runtime with the reference forward pass\'s probabilities', async () => {
    const rows = 5;
    const random = new Random(9);
    const input = Float32Array.from({ length: rows * spec.layers[0] }, () => random.uniform());
    const session = await ort.InferenceSession.create(file);
    const output = await session.run({ input: new ort.Tensor('float32', input, [rows, spec.layers[0]]) });
    const probs = output.probabilities.data as Float32Array;
    const params = { weights: values.weights.map((w) => Float64Array.from(w)), biases: values.biases.map((b) => Float64Array.from(b)) };
    const logits = reference.forward(spec, params, input, rows).at(-1)!;
    const expected = softmax(logits, rows, spec.layers.at(-1)!);
    const maxDiff = Math.max(...Array.from(probs, (p, i) => Math.abs(p - expected[i])));
    console.log(`onnxruntime vs reference: maxdiff=${maxDiff.toExponential(2)} over ${probs.length} probabilities`);
    expect(output.probabilities.dims).toEqual([rows, spec.layers.at(-1)]);
    expect(maxDiff).toBeLessThan(1e-5);
  });
});
