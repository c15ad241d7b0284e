// The per-step uniforms: a ring of Step records (batch start, rows, learning rate, Adam bias corrections)
// written once per submitted chunk and bound as group 0 with a dynamic offset, so one recorded command
// stream can hold many different steps and nothing is allocated per step.

import type { Gpu } from '../runtime/gpu';

/** Mirrors `struct Step` at the top of every shader. */
export interface StepRecord {
  /** First index into the order buffer for this batch. */
  batchStart: number;
  rows: number;
  learningRate: number;
  /** 1 - β1^t and 1 - β2^t for Adam step t (1 for other optimizers). */
  adamC1: number;
  adamC2: number;
  /** Seeds this step's data augmentation and dropout masks. */
  seed: number;
}

const RECORD_BYTES = 32; // six 4-byte fields, rounded up to WGSL's 16-byte struct alignment

export class Schedule {
  /** Steps per submitted chunk. */
  static readonly CAPACITY = 64;
  readonly stride: number;
  readonly buffer: GPUBuffer;
  readonly group: GPUBindGroup;
  private readonly staging: ArrayBuffer;

  constructor(private readonly gpu: Gpu, label: string) {
    this.stride = Math.max(RECORD_BYTES, gpu.device.limits.minUniformBufferOffsetAlignment);
    this.buffer = gpu.buffer(`${label}.schedule`, this.stride * Schedule.CAPACITY, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.group = gpu.device.createBindGroup({
      label: `${label}.schedule`,
      layout: gpu.bindGroupLayout(['step']),
      entries: [{ binding: 0, resource: { buffer: this.buffer, size: RECORD_BYTES } }],
    });
    this.staging = new ArrayBuffer(this.buffer.size);
  }

  /** Byte offset of record i, to pass as the dynamic offset. */
  offset(i: number): number {
    return i * this.stride;
  }

  /** Queues the records for the next submit (queue order makes earlier submits see their own records). */
  write(records: StepRecord[]): void {
    const u32 = new Uint32Array(this.staging);
    const f32 = new Float32Array(this.staging);
    records.forEach((r, i) => {
      const at = (i * this.stride) / 4;
      u32[at] = r.batchStart;
      u32[at + 1] = r.rows;
      f32[at + 2] = r.learningRate;
      f32[at + 3] = r.adamC1;
      f32[at + 4] = r.adamC2;
      u32[at + 5] = r.seed;
    });
    this.gpu.device.queue.writeBuffer(this.buffer, 0, this.staging, 0, records.length * this.stride);
  }
}
