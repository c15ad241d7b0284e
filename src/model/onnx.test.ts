// The ONNX export, checked two independent ways: protobufjs decodes the file against the ONNX schema (the
// part of onnx.proto it uses, copied below) and we check the graph and every weight; then ONNX Runtime (wasm)
// runs it and its probabilities must match the CPU reference forward pass.
import * as ort from 'onnxruntime-web';
import protobuf from 'protobufjs';
import { describe, expect, test } from 'vitest';
import { Random } from '../random';
import * as reference from '../reference/model';
import { softmax } from '../reference/kernels';
import { featuresOf, type Layer } from '../layers/layer';
import { type MLPOptions, type ModelOptions, resolveMLPOptions, resolveModelOptions } from './architecture';
import { encodeOnnx } from './onnx';

// From https://github.com/onnx/onnx/blob/main/onnx/onnx.proto (field numbers as published).
const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto { optional string name = 1; optional float f = 2; optional int64 i = 3; repeated int64 ints = 8; optional int32 type = 20; }
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

/** Seeded values for every tensor of `layers`: weights roughly Xavier-sized, the others their fill ± 0.1·randn. */
function weightsFor(layers: Layer[]): Record<string, Float32Array> {
  const random = new Random(3);
  return Object.fromEntries(layers.flatMap((l) => l.tensors.map((t) => {
    const scale = 'fill' in t.init ? 0.1 : Math.sqrt(2 / (t.init.fanIn + t.init.fanOut));
    const base = 'fill' in t.init ? t.init.fill : 0;
    return [`layers.${l.index}.${t.name}`, Float32Array.from({ length: t.shape.reduce((a, b) => a * b) }, () => base + random.normal() * scale)];
  })));
}

/** ONNX Runtime's probabilities for `rows` random inputs, and the largest difference from the reference forward pass. */
async function runtimeAgainstReference(file: Uint8Array, layers: Layer[], values: Record<string, Float32Array>, inputDims: number[], rows: number) {
  const random = new Random(9);
  const features = featuresOf(layers[0].input);
  const input = Float32Array.from({ length: rows * features }, () => random.uniform());
  const session = await ort.InferenceSession.create(file);
  const output = await session.run({ input: new ort.Tensor('float32', input, [rows, ...inputDims]) });
  const probs = output.probabilities.data as Float32Array;
  const params = reference.referenceParams(values);
  const classes = featuresOf(layers[layers.length - 1].output);
  const expected = softmax(reference.forward(layers, params, input, rows).at(-1)!, rows, classes);
  const maxDiff = Math.max(...Array.from(probs, (p, i) => Math.abs(p - expected[i])));
  return { dims: output.probabilities.dims, classes, maxDiff, count: probs.length };
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
  const { spec, layers } = resolveMLPOptions(options);
  const widths = options.layers;
  const values = weightsFor(layers);
  const file = encodeOnnx(spec, layers, values);

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
    if (alphaNode) expect(alphaNode.attribute[0].f).toBeCloseTo(spec.layers[0].activation.alpha, 6);
    const dims = (v: any) => v.type.tensorType.shape.dim.map((d: any) => d.dimParam ?? d.dimValue);
    expect(dims(graph.input[0])).toEqual(['N', widths[0]]);
    expect(dims(graph.output[0])).toEqual(['N', widths.at(-1)]);
    widths.slice(1).forEach((out, l) => {
      for (const [kind, shape] of [['weight', [out, widths[l]]], ['bias', [out]]] as const) {
        const expected = values[`layers.${l}.${kind}`];
        const tensor = graph.initializer.find((t: any) => t.name === `layers.${l}.${kind}`);
        expect(tensor.dims).toEqual(shape);
        expect(tensor.dataType).toBe(1);
        const data = new Float32Array(Uint8Array.from(tensor.rawData).buffer);
        expect(Array.from(data)).toEqual(Array.from(expected));
      }
    });
  });

  test('runs in ONNX Runtime with the reference forward pass\'s probabilities', async () => {
    const r = await runtimeAgainstReference(file, layers, values, [widths[0]], 5);
    console.log(`onnxruntime vs reference: maxdiff=${r.maxDiff.toExponential(2)} over ${r.count} probabilities`);
    expect(r.dims).toEqual([5, r.classes]);
    expect(r.maxDiff).toBeLessThan(1e-5);
  });
});

const CONVNETS: [string, ModelOptions, string[]][] = [
  ['jax-js\'s MNIST ConvNet', { input: [1, 28, 28], layers: [
    { type: 'conv2d', filters: 24, kernelSize: 5 }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'relu' },
    { type: 'conv2d', filters: 32, kernelSize: 3 }, { type: 'maxPool2d', size: 2 }, { type: 'activation', activation: 'relu' },
    { type: 'flatten' }, { type: 'dropout', rate: 0.25 }, { type: 'dense', units: 128, activation: 'relu' }, { type: 'dense', units: 10 },
  ] }, ['Conv', 'MaxPool', 'Relu', 'Conv', 'MaxPool', 'Relu', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Softmax']],
  ['strides, same and numeric padding, average pooling, activations', { input: [3, 9, 7], layers: [
    { type: 'conv2d', filters: 5, kernelSize: [3, 2], stride: 2, padding: 'same', activation: 'tanh' },
    { type: 'avgPool2d', size: [2, 1], stride: 1, activation: { name: 'leaky_relu', slope: 0.1 } },
    { type: 'conv2d', filters: 4, kernelSize: 3, padding: [1, 2], activation: { name: 'elu', alpha: 0.5 } },
    { type: 'flatten', activation: 'sigmoid' }, { type: 'dense', units: 6 },
  ] }, ['Conv', 'Tanh', 'AveragePool', 'LeakyRelu', 'Conv', 'Elu', 'Flatten', 'Sigmoid', 'Gemm', 'Softmax']],
  ['batch norm per channel and per feature, with running statistics', { input: [2, 7, 6], layers: [
    { type: 'conv2d', filters: 3, kernelSize: 3 }, { type: 'batchNorm', activation: 'relu' }, { type: 'maxPool2d', size: 2 },
    { type: 'flatten' }, { type: 'dense', units: 5 }, { type: 'batchNorm', epsilon: 0.01 }, { type: 'dense', units: 4 },
  ] }, ['Conv', 'BatchNormalization', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'BatchNormalization', 'Gemm', 'Softmax']],
];

describe.each(CONVNETS)('ONNX export of a ConvNet, %s', (_, options, ops) => {
  const { spec, layers } = resolveModelOptions(options);
  const values = weightsFor(layers);
  const file = encodeOnnx(spec, layers, values);

  test('Conv, pooling and Flatten nodes with the layers\' attributes; input (N, C, H, W)', () => {
    const graph = (ModelProto.toObject(ModelProto.decode(file), { longs: Number, bytes: Array }) as any).graph;
    expect(graph.node.map((n: any) => n.opType)).toEqual(ops);
    const conv = graph.node.find((n: any) => n.opType === 'Conv');
    expect(conv.input).toEqual(['input', 'layers.0.weight', 'layers.0.bias']);
    const attribute = (n: any, name: string) => n.attribute.find((a: any) => a.name === name).ints;
    const first = spec.layers[0] as { kernelSize: number[]; stride: number[] };
    expect(attribute(conv, 'kernel_shape')).toEqual(first.kernelSize);
    expect(attribute(conv, 'strides')).toEqual(first.stride);
    expect(graph.initializer.find((t: any) => t.name === 'layers.0.weight').dims).toEqual(layers[0].tensors[0].shape);
    const dims = (v: any) => v.type.tensorType.shape.dim.map((d: any) => d.dimParam ?? d.dimValue);
    expect(dims(graph.input[0])).toEqual(['N', ...options.input]);
  });

  test('runs in ONNX Runtime with the reference forward pass\'s probabilities', async () => {
    const r = await runtimeAgainstReference(file, layers, values, options.input, 3);
    console.log(`onnxruntime vs reference (${_}): maxdiff=${r.maxDiff.toExponential(2)} over ${r.count} probabilities`);
    expect(r.dims).toEqual([3, r.classes]);
    expect(r.maxDiff).toBeLessThan(1e-5);
  });
});
