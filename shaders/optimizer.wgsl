// One optimizer step over the flat parameter buffer (all weights first, then all biases):
//   sgd       param -= lr · g
//   momentum  velocity = momentum · velocity + g;  param -= lr · velocity
//   adam      m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  param -= lr · (m / c1) / (sqrt(v / c2) + ε)
// where g = grad + l2 · param for weights (index < weight_count) and g = grad for biases,
// and c1 = 1 - β1^t, c2 = 1 - β2^t come from the step. Each thread updates four parameters as a vec4
// (the math is per element, as written): the buffers hold a multiple of 4 floats, and weights end on one. Nothing changes once the training loss has
// diverged (stats.diverged_at != 0, set by softmax.wgsl): the model keeps its last finite state.

struct Stats { loss_sum: f32, correct: f32, diverged_at: u32 } // see src/model/plan.ts
struct Settings {
  size: u32,         // in vec4s
  weight_count: u32, // in vec4s
  l2: f32,
  momentum: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
}

override WORKGROUP: u32 = 256u;

@group(1) @binding(0) var<uniform> settings: Settings;
@group(1) @binding(1) var<storage, read_write> param: array<vec4f>; // (size)
@group(1) @binding(2) var<storage, read> grad: array<vec4f>;        // (size)
@group(1) @binding(3) var<storage, read> stats: Stats;
#if ${momentum}
@group(1) @binding(4) var<storage, read_write> velocity: array<vec4f>; // (size)
#endif
#if ${adam}
@group(1) @binding(4) var<storage, read_write> m: array<vec4f>;     // (size)
@group(1) @binding(5) var<storage, read_write> v: array<vec4f>;     // (size)
#endif

// Dispatched as a 2-D grid when one dimension is not enough; see dispatch1d in src/runtime/gpu.ts.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= settings.size || stats.diverged_at != 0u) { return; }
  // Each buffer is read once and written once (SwiftShader does not merge repeated loads): about 0.1 ms less of
  // the 0.55 that SGD takes there for the 784-128-10 MLP's parameters.
  let p = param[i];
  let g = grad[i] + select(0.0, settings.l2, i < settings.weight_count) * p;
#if ${sgd}
  param[i] = p - step.learning_rate * g;
#endif
#if ${momentum}
  let velocity_i = settings.momentum * velocity[i] + g;
  velocity[i] = velocity_i;
  param[i] = p - step.learning_rate * velocity_i;
#endif
#if ${adam}
  let m_i = settings.beta1 * m[i] + (1.0 - settings.beta1) * g;
  let v_i = settings.beta2 * v[i] + (1.0 - settings.beta2) * g * g;
  m[i] = m_i;
  v[i] = v_i;
  let m_hat = m_i / step.adam_c1;
  let v_hat = v_i / step.adam_c2;
  param[i] = p - step.learning_rate * m_hat / (sqrt(v_hat) + settings.epsilon);
#endif
}
