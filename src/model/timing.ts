// GPU time of each op of a step, through timestamp-query: each op in its own compute pass with timestamps
// at its start and end. Returns undefined where the adapter has no timestamp-query. For benchmarks only.

import { type Op, record } from '../ops/op';
import type { Gpu } from '../runtime/gpu';
import type { StepRef } from './train_step';

/** Mean milliseconds of each op over `repeats` runs of the whole list, or undefined without timestamps. */
export async function timeOps(gpu: Gpu, ops: Op[], step: StepRef, repeats: number): Promise<number[] | undefined> {
  if (!gpu.device.features.has('timestamp-query')) return undefined;
  const count = 2 * ops.length;
  const querySet = gpu.device.createQuerySet({ label: 'timing', type: 'timestamp', count });
  const resolved = gpu.buffer('timing.resolved', count * 8, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
  const totals = new Array<number>(ops.length).fill(0);
  try {
    for (let run = 0; run < repeats; run++) {
      const encoder = gpu.device.createCommandEncoder({ label: 'timing' });
      ops.forEach((op, i) => {
        const pass = encoder.beginComputePass({
          label: op.label,
          timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
        });
        record(pass, op, step.group, step.offset, step.rows);
        pass.end();
      });
      encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
      gpu.device.queue.submit([encoder.finish()]);
      const stamps = new BigUint64Array(await gpu.read(resolved));
      ops.forEach((_, i) => (totals[i] += Number(stamps[2 * i + 1] - stamps[2 * i]) / 1e6));
    }
  } finally {
    querySet.destroy();
    gpu.release(resolved);
  }
  return totals.map((total) => total / repeats);
}
