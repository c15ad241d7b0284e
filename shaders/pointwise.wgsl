// Layers that act on each value alone: activation, flatten and dropout. Two variants:
//   forward   out[r, j] = act(inp[r, i] · keep(r, f))
//   backward  dinp[r, i] = dout[r, j] · keep(r, f) · act'(inp[r, i])
// over the `features` values i of each row. In forward, act is this layer's activation; in backward it is the
// previous layer's, whose output inp is (act' is written in terms of it, as in matmul.wgsl).
// f is the value's index in (channel, row, column) order, and j = f with permute (flatten of an input stored
// channels last, which it puts back in PyTorch's order), else j = i. With channelsLast, inp is stored
// (height, width, channels): i = p · channels + c holds f = c · positions + p.
// keep (dropout only; else 1): 0 with probability `rate`, else `scale` = 1 / (1 - rate), decided by a hash of
// (step.seed, salt, r · features + f); src/reference/layers.ts draws the same numbers.

struct Dims {
  features: u32,
  channels: u32,          // for channelsLast: features = channels · positions
  positions: u32,
  salt: u32,              // dropout: 0x80000000 + the layer's index, so that layers draw different masks
  rate: f32,
  scale: f32,
}

override WORKGROUP: u32 = 64u;
override PER_THREAD: u32 = 16u; // consecutive values per thread: CPU adapters pay per invocation

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> inp: array<f32>;          // (rows, features)
#if ${forward}
@group(1) @binding(2) var<storage, read_write> out: array<f32>;    // (rows, features)
#else
@group(1) @binding(2) var<storage, read> dout: array<f32>;         // (rows, features)
@group(1) @binding(3) var<storage, read_write> dinp: array<f32>;   // (rows, features)
#endif

// Value i's index in (channel, row, column) order.
fn feature(i: u32) -> u32 {
#if ${channelsLast}
  return (i % dims.channels) * dims.positions + i / dims.channels;
#else
  return i;
#endif
}

// What value f of row r is multiplied by: 1 without dropout.
fn keep(r: u32, f: u32) -> f32 {
#if ${dropout}
  let draw = hash(hash(step.seed ^ hash(dims.salt)) ^ hash(r * dims.features + f));
  return select(0.0, dims.scale, f32(draw >> 8u) / 16777216.0 >= dims.rate);
#else
  return 1.0;
#endif
}

// x: a run of PER_THREAD values, y: row r.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let first = gid.x * PER_THREAD;
  let r = gid.y;
  if (first >= dims.features || r >= step.rows) { return; }
  let row = r * dims.features;
  for (var i = first; i < min(first + PER_THREAD, dims.features); i++) {
    let f = feature(i);
#if ${permute}
    let j = f;
#else
    let j = i;
#endif
#if ${forward}
    out[row + j] = activate(inp[row + i] * keep(r, f));
#else
    dinp[row + i] = dout[row + j] * keep(r, f) * activate_grad(inp[row + i]);
#endif
  }
}
