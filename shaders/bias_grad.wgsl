// Column sums of dout: dbias[n] = Σ_r dout[r, n] over rows = step.rows · positions (a convolution's dout has a
// row per output position). One thread per column, rows summed in order. With perSample, one thread per
// (sample, column) sums that sample's positions: dbias (step rows, n_out), which a second pass adds up.
// (The second pass, and the sum of matmul.wgsl's per-sample weight gradients, are this kernel with positions 1.)
// With vec4 (n_out a multiple of 4), a thread sums 4 columns side by side and n_out counts such groups.

struct Dims { n_out: u32, positions: u32 }

override WORKGROUP: u32 = 64u;

#if ${vec4}
alias value = vec4f;
#else
alias value = f32;
#endif

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> dout: array<value>;        // (rows, n_out)
#if ${perSample}
@group(1) @binding(2) var<storage, read_write> dbias: array<value>; // (step rows, n_out)
#else
@group(1) @binding(2) var<storage, read_write> dbias: array<value>; // (n_out)
#endif

// x: column n (or group of 4); y: the sample, with perSample
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= dims.n_out) { return; }
#if ${perSample}
  let rows = vec2u(gid.y, gid.y + 1u) * dims.positions;
#else
  let rows = vec2u(0u, step.rows * dims.positions);
#endif
  var sum = value(0.0);
  for (var r = rows.x; r < rows.y; r++) {
    sum += dout[r * dims.n_out + n];
  }
  dbias[gid.y * dims.n_out + n] = sum;
}
