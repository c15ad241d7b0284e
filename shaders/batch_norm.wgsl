// Batch normalization, value by value (a thread per value of a row; y: the row), with per-channel statistics:
//   forward:  out = act(γ[c] · (x - mean[c]) · inv_std[c] + β[c]), with the batch's statistics (training; from
//             batch_norm_stats.wgsl) or, with running, the running ones: inv_std = 1 / sqrt(running_var + ε)
//   backward: dinp = γ[c] · inv_std[c] / n · (n · dy - dβ[c] - x̂ · dγ[c]) ⊙ act'(x), x̂ = (x - mean[c]) · inv_std[c],
//             n = step.rows · positions (dγ and dβ from batch_norm_stats.wgsl)
// act is the layer's own activation forward, the previous layer's backward (ACTIVATION, common.wgsl).

struct Dims {
  channels: u32,
  positions: u32,         // height · width; 1 for a flat input
  channels_last: u32,
  epsilon: f32,
}

override WORKGROUP: u32 = 64u;

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> inp: array<f32>;                // (rows, features)
@group(1) @binding(2) var<storage, read> gamma: array<f32>;              // (channels)
#if ${running}
@group(1) @binding(3) var<storage, read> beta: array<f32>;               // (channels)
@group(1) @binding(4) var<storage, read> running_mean: array<f32>;       // (channels)
@group(1) @binding(5) var<storage, read> running_var: array<f32>;        // (channels)
@group(1) @binding(6) var<storage, read_write> out: array<f32>;          // (rows, features)
#elif ${backward}
@group(1) @binding(3) var<storage, read> batch: array<vec2f>;            // (channels): mean, inv_std
@group(1) @binding(4) var<storage, read> dout: array<f32>;               // (rows, features)
@group(1) @binding(5) var<storage, read> dgamma: array<f32>;             // (channels)
@group(1) @binding(6) var<storage, read> dbeta: array<f32>;              // (channels)
@group(1) @binding(7) var<storage, read_write> dinp: array<f32>;         // (rows, features)
#else
@group(1) @binding(3) var<storage, read> beta: array<f32>;               // (channels)
@group(1) @binding(4) var<storage, read> batch: array<vec2f>;            // (channels): mean, inv_std
@group(1) @binding(5) var<storage, read_write> out: array<f32>;          // (rows, features)
#endif

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let features = dims.channels * dims.positions;
  let f = gid.x;
  if (f >= features || gid.y >= step.rows) { return; }
  let c = select(f / dims.positions, f % dims.channels, dims.channels_last != 0u);
  let j = gid.y * features + f;
#if ${running}
  let inv_std = 1.0 / sqrt(running_var[c] + dims.epsilon);
  out[j] = activate(gamma[c] * (inp[j] - running_mean[c]) * inv_std + beta[c]);
#elif ${backward}
  let stats = batch[c];
  let n = f32(step.rows * dims.positions);
  let x_hat = (inp[j] - stats.x) * stats.y;
  dinp[j] = gamma[c] * stats.y / n * (n * dout[j] - dbeta[c] - x_hat * dgamma[c]) * activate_grad(inp[j]);
#else
  let stats = batch[c];
  out[j] = activate(gamma[c] * (inp[j] - stats.x) * stats.y + beta[c]);
#endif
}
