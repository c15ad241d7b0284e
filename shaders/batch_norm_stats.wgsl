// Batch normalization's sums over a batch, per channel: one workgroup per channel c, its threads striding over
// the n = step.rows · positions values of c, then a tree sum in workgroup memory.
//   forward:  mean = Σx / n, var = Σ(x - mean)² / n (biased; a second pass over x, for accuracy);
//             batch[c] = (mean, 1 / sqrt(var + ε)); and the running statistics, as PyTorch keeps them:
//             running = (1 - momentum) · running + momentum · (mean, var · n / (n - 1))
//   backward: dbeta[c] = Σ dy, dgamma[c] = Σ dy · x̂, with x̂ = (x - mean) · inv_std from batch[c]
// A sample's values sit at (channels_last ? p · channels + c : c · positions + p) for position p.

struct Dims {
  channels: u32,
  positions: u32,         // height · width; 1 for a flat input
  channels_last: u32,
  momentum: f32,
  epsilon: f32,
}

const WORKGROUP: u32 = 64u;

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> inp: array<f32>;                  // (rows, features)
#if ${backward}
@group(1) @binding(2) var<storage, read> batch: array<vec2f>;              // (channels): mean, inv_std
@group(1) @binding(3) var<storage, read> dout: array<f32>;                 // (rows, features)
@group(1) @binding(4) var<storage, read_write> dgamma: array<f32>;         // (channels)
@group(1) @binding(5) var<storage, read_write> dbeta: array<f32>;          // (channels)
#else
@group(1) @binding(2) var<storage, read_write> batch: array<vec2f>;        // (channels): mean, inv_std
@group(1) @binding(3) var<storage, read_write> running_mean: array<f32>;   // (channels)
@group(1) @binding(4) var<storage, read_write> running_var: array<f32>;    // (channels)
#endif

var<workgroup> partial: array<vec2f, WORKGROUP>;

// Where the i-th value of channel c is, for i = r · positions + p.
fn index(c: u32, i: u32) -> u32 {
  let r = i / dims.positions;
  let p = i % dims.positions;
  return r * dims.channels * dims.positions + select(c * dims.positions + p, p * dims.channels + c, dims.channels_last != 0u);
}

// The sum of every thread's `mine`, for every thread.
fn workgroup_sum(t: u32, mine: vec2f) -> vec2f {
  partial[t] = mine;
  workgroupBarrier();
  for (var half = WORKGROUP / 2u; half > 0u; half /= 2u) {
    if (t < half) { partial[t] += partial[t + half]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier(); // before partial is written again
  return total;
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let c = wid.x;
  let n = step.rows * dims.positions;
#if ${backward}
  let stats = batch[c];
  var sums = vec2f(0.0);
  for (var i = t; i < n; i += WORKGROUP) {
    let j = index(c, i);
    sums += dout[j] * vec2f(1.0, (inp[j] - stats.x) * stats.y);
  }
  let total = workgroup_sum(t, sums);
  if (t == 0u) {
    dbeta[c] = total.x;
    dgamma[c] = total.y;
  }
#else
  var sum = 0.0;
  for (var i = t; i < n; i += WORKGROUP) { sum += inp[index(c, i)]; }
  let mean = workgroup_sum(t, vec2f(sum, 0.0)).x / f32(n);
  var squares = 0.0;
  for (var i = t; i < n; i += WORKGROUP) {
    let d = inp[index(c, i)] - mean;
    squares += d * d;
  }
  let variance = workgroup_sum(t, vec2f(squares, 0.0)).x / f32(n);
  if (t == 0u) {
    batch[c] = vec2f(mean, 1.0 / sqrt(variance + dims.epsilon));
    let unbiased = variance * f32(n) / f32(max(n, 2u) - 1u); // one value per channel: its variance, 0
    running_mean[c] = (1.0 - dims.momentum) * running_mean[c] + dims.momentum * mean;
    running_var[c] = (1.0 - dims.momentum) * running_var[c] + dims.momentum * unbiased;
  }
#endif
}
