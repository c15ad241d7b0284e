
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
