// An op is one dispatch ready to record: a pipeline, the bind group of its tensors (group 1) and its grid
// as a function of the step's row count. Group 0 is always the step record (see src/model/schedule.ts).
// A few ops are copies instead (a buffer into a texture), which no compute pass may hold: a Recorder ends
// its pass for them.

import type { Binding, Gpu, Resource } from '../runtime/gpu';
import { type Flags, preprocess } from '../runtime/shader';
import { type ShaderFile, shaders } from '../shaders';

/** A slice of a GPU buffer: the whole of a small buffer, or one tensor of a flat parameter buffer. */
export type Tensor = GPUBufferBinding;

/** Workgroups to dispatch: x, y and (if given) z. */
export type Grid = [number, number] | [number, number, number];

export interface DispatchOp {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly grid: (rows: number) => Grid;
  /** Small uniform buffers that belong to this op alone, released with it. */
  readonly owned: GPUBuffer[];
}

/** A copy between resources, recorded on the command encoder for a step of `rows` rows. */
export interface CopyOp {
  readonly label: string;
  readonly copy: (encoder: GPUCommandEncoder, rows: number) => void;
  readonly owned: GPUBuffer[];
}

export type Op = DispatchOp | CopyOp;

/** A shader file and the variant of it that is wanted. */
export interface ShaderPart {
  file: Exclude<ShaderFile, 'common.wgsl'>;
  flags: Flags;
}

/**
 * Compiles (once per engine) the variant `flags` of `file`, with shaders/common.wgsl appended (the step record,
 * activations and hash every kernel shares), whose group 1 is laid out as `bindings`. `core`, if given, is
 * appended too: the computation that `file` says the operands of (the matmuls' shaders/gemm.wgsl), or the
 * functions that two files' passes share (shaders/winograd_tile.wgsl).
 */
export function kernel(gpu: Gpu, file: ShaderPart['file'], flags: Flags, constants: Record<string, number>, bindings: Binding[], core?: ShaderPart): Promise<GPUComputePipeline> {
  const parts = [{ file, flags }, ...(core ? [core] : [])];
  const label = parts.map((p) => `${p.file}(${Object.keys(p.flags).filter((name) => p.flags[name]).join(',')})`).join('+');
  const code = parts.map((p) => preprocess(p.file, shaders[p.file], p.flags)).join('\n') + shaders['common.wgsl'];
  return gpu.pipeline(label, code, constants, [['step'], bindings]);
}

/** Makes an op: a labelled bind group for `tensors` (or texture views), preceded by a uniform holding `settings` (its Dims). */
export function makeOp(
  gpu: Gpu,
  label: string,
  pipeline: GPUComputePipeline,
  settings: ArrayBufferView,
  tensors: Resource[],
  grid: (rows: number) => Grid,
): DispatchOp {
  const uniform = gpu.upload(`${label}.dims`, settings, GPUBufferUsage.UNIFORM);
  const bindGroup = gpu.bindGroup(label, pipeline, 1, [{ buffer: uniform }, ...tensors]);
  return { label, pipeline, bindGroup, grid, owned: [uniform] };
}

/**
 * Records ops on a command encoder: dispatches into a compute pass, which a copy ends (the next dispatch begins
 * another). end() ends the last pass.
 */
export class Recorder {
  private pass: GPUComputePassEncoder | undefined;

  constructor(private readonly encoder: GPUCommandEncoder, private readonly label: string) {}

  /** Records `op` for a step whose record sits at `stepOffset` in the schedule and covers `rows` samples. */
  record(op: Op, step: GPUBindGroup, stepOffset: number, rows: number): void {
    if ('copy' in op) {
      this.end();
      op.copy(this.encoder, rows);
      return;
    }
    this.pass ??= this.encoder.beginComputePass({ label: this.label });
    dispatch(this.pass, op, step, stepOffset, rows);
  }

  end(): void {
    this.pass?.end();
    this.pass = undefined;
  }
}

/** Records the dispatch `op` into `pass` (see Recorder.record). */
export function dispatch(pass: GPUComputePassEncoder, op: DispatchOp, step: GPUBindGroup, stepOffset: number, rows: number): void {
  pass.setPipeline(op.pipeline);
  pass.setBindGroup(0, step, [stepOffset]);
  pass.setBindGroup(1, op.bindGroup);
  const [x, y, z] = op.grid(rows);
  pass.dispatchWorkgroups(x, y, z);
}

export const ceilDiv = (a: number, b: number): number => Math.max(1, Math.ceil(a / b));
