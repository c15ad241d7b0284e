
// ---- shaders/common.wgsl: appended to every shader (src/ops/op.ts) ----
// What every kernel shares: the step record at group 0, the activations and their derivatives (chosen by the
// override constants ACTIVATION and ALPHA), and the PCG hash that augmentation and dropout draw from.

struct Step {             // see src/model/schedule.ts
  batch_start: u32,
  rows: u32,
  learning_rate: f32,
  adam_c1: f32,
  adam_c2: f32,
  seed: u32,              // for data augmentation and dropout
}

@group(0) @binding(0) var<uniform> step: Step;

override ACTIVATION: u32 = 0u; // 0 identity, 1 relu, 2 leaky_relu, 3 elu, 4 sigmoid, 5 tanh (src/ops/activation.ts)
override ALPHA: f32 = 0.0;     // leaky_relu slope or elu alpha

// y = act(x)
fn activate(x: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return max(x, 0.0); }
    case 2u: { return select(ALPHA * x, x, x > 0.0); }
    case 3u: { return select(ALPHA * (exp(x) - 1.0), x, x > 0.0); }
    case 4u: { return 1.0 / (1.0 + exp(-x)); }
    case 5u: { return tanh(clamp(x, -20.0, 20.0)); } // some tanh implementations return NaN past ±44; f32 tanh(20) is 1
    default: { return x; }
  }
}

// act'(x) written in terms of y = act(x): y > 0 exactly when x > 0 for the relu family (ALPHA >= 0).
fn activate_grad(y: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return select(0.0, 1.0, y > 0.0); }
    case 2u: { return select(ALPHA, 1.0, y > 0.0); }
    case 3u: { return select(y + ALPHA, 1.0, y > 0.0); }
    case 4u: { return y * (1.0 - y); }
    case 5u: { return 1.0 - y * y; }
    default: { return 1.0; }
  }
}

// PCG's output permutation: a well-mixed u32 from a u32 (src/reference/kernels.ts hash is its twin).
fn hash(x: u32) -> u32 {
  let state = x * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// Texel (x, y) of a texture whose size is 1 / scale texels, through a nearest sampler: the texel's value, as
// textureLoad gives it. Dawn guards every textureLoad with a query of the texture's size, which on SwiftShader
// made a product reading 4 values a texel nearly as slow as from a storage buffer (12.0-13.5 ms against 7.1-8.0
// through the sampler, on 512 MNIST digits); a sampler clamps to the edge by itself.
fn texel_at(texels: texture_2d<f32>, nearest: sampler, x: u32, y: u32, scale: vec2f) -> vec4f {
  return textureSampleLevel(texels, nearest, (vec2f(f32(x), f32(y)) + 0.5) * scale, 0.0);
}

// Texel i of a texture holding a matrix's values in order, 4 a texel and LINE texels a texture row (copied there
// whole: src/ops/texels.ts).
const LINE = 64u;
fn texel_in_order(texels: texture_2d<f32>, nearest: sampler, i: u32, scale: vec2f) -> vec4f {
  return texel_at(texels, nearest, i % LINE, i / LINE, scale);
}
