// dbias = column sums of dout: dbias[n] = Σ_r dout[r, n] over rows = step.rows · positions (a convolution's
// dout has a row per output position). One thread per column, rows summed in order.

struct Step {             // see src/model/schedule.ts
  batch_start: u32,
  rows: u32,
  learning_rate: f32,
  adam_c1: f32,
  adam_c2: f32,
  seed: u32,              // for data augmentation and dropout
}
struct Dims { n_out: u32, positions: u32 }

override WORKGROUP: u32 = 64u;

@group(0) @binding(0) var<uniform> step: Step;
@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> dout: array<f32>;        // (rows, n_out)
@group(1) @binding(2) var<storage, read_write> dbias: array<f32>; // (n_out)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= dims.n_out) { return; }
  var sum = 0.0;
  for (var r = 0u; r < step.rows * dims.positions; r++) {
    sum += dout[r * dims.n_out + n];
  }
  dbias[n] = sum;
}
