// Dense-layer matrix products. One file, three variants of what is multiplied:
//   forward         out     = act(inp · weightᵀ + bias)     (rows, n_out)
//   backwardInput   dinp    = (dout · weight) ⊙ act'(inp)   (rows, n_in)
//   backwardWeight  dweight = doutᵀ · inp                   (n_out, n_in)
// Each is C(M, N) = A(M, K) · B(K, N); a variant only says where A, B and C live in memory:
// A[m, k] = a_at(a_start(m) + k · k_steps().x) and B[k, n] = b_at(b_start(n) + k · k_steps().y).
// act' is taken from the activation's output (inp is the previous layer's output), which is exact
// for every activation here. And two ways to compute it (see main below): tiled through workgroup
// memory, or register-blocked. Sizes need not be multiples of anything.

struct Step {             // see src/model/schedule.ts
  batch_start: u32,
  rows: u32,
  learning_rate: f32,
  adam_c1: f32,
  adam_c2: f32,
  seed: u32,              // for data augmentation
}
struct Dims { n_in: u32, n_out: u32 }

override TILE: u32 = 16u;  // the workgroup is TILE × TILE threads
override ALPHA: f32 = 0.0; // leaky_relu slope or elu alpha

@group(0) @binding(0) var<uniform> step: Step;
@group(1) @binding(0) var<uniform> dims: Dims;

#if ${forward}
@group(1) @binding(1) var<storage, read> inp: array<f32>;        // (rows, n_in)
@group(1) @binding(2) var<storage, read> weight: array<f32>;     // (n_out, n_in)
@group(1) @binding(3) var<storage, read> bias: array<f32>;       // (n_out)
@group(1) @binding(4) var<storage, read_write> out: array<f32>;  // (rows, n_out)

fn size_mnk() -> vec3u { return vec3u(step.rows, dims.n_out, dims.n_in); }
fn a_at(i: u32) -> f32 { return inp[i]; }             // A[m, k] = inp[m · n_in + k]
fn a_start(m: u32) -> u32 { return m * dims.n_in; }
fn b_at(i: u32) -> f32 { return weight[i]; }          // B[k, n] = weight[n · n_in + k]
fn b_start(n: u32) -> u32 { return n * dims.n_in; }
fn k_steps() -> vec2u { return vec2u(1u, 1u); }
fn store_c(m: u32, n: u32, acc: f32) { out[m * dims.n_out + n] = activate(acc + bias[n]); }
#endif

#if ${backwardInput}
@group(1) @binding(1) var<storage, read> dout: array<f32>;       // (rows, n_out)
@group(1) @binding(2) var<storage, read> weight: array<f32>;     // (n_out, n_in)
@group(1) @binding(3) var<storage, read> inp: array<f32>;        // (rows, n_in), previous layer's output
@group(1) @binding(4) var<storage, read_write> dinp: array<f32>; // (rows, n_in), w.r.t. its pre-activation

fn size_mnk() -> vec3u { return vec3u(step.rows, dims.n_in, dims.n_out); }
fn a_at(i: u32) -> f32 { return dout[i]; }            // A[m, k] = dout[m · n_out + k]
fn a_start(m: u32) -> u32 { return m * dims.n_out; }
fn b_at(i: u32) -> f32 { return weight[i]; }          // B[k, n] = weight[k · n_in + n]
fn b_start(n: u32) -> u32 { return n; }
fn k_steps() -> vec2u { return vec2u(1u, dims.n_in); }
fn store_c(m: u32, n: u32, acc: f32) {
  let i = m * dims.n_in + n;
  dinp[i] = acc * activate_grad(inp[i]);
}
#endif

#if ${backwardWeight}
@group(1) @binding(1) var<storage, read> dout: array<f32>;          // (rows, n_out)
@group(1) @binding(2) var<storage, read> inp: array<f32>;           // (rows, n_in)
@group(1) @binding(3) var<storage, read_write> dweight: array<f32>; // (n_out, n_in)

fn size_mnk() -> vec3u { return vec3u(dims.n_out, dims.n_in, step.rows); }
fn a_at(i: u32) -> f32 { return dout[i]; }            // A[m, k] = dout[k · n_out + m]
fn a_start(m: u32) -> u32 { return m; }
fn b_at(i: u32) -> f32 { return inp[i]; }             // B[k, n] = inp[k · n_in + n]
fn b_start(n: u32) -> u32 { return n; }
fn k_steps() -> vec2u { return vec2u(dims.n_out, dims.n_in); }
fn store_c(m: u32, n: u32, acc: f32) { dweight[m * dims.n_in + n] = acc; }
#endif

// y = act(x)
fn activate(x: f32) -> f32 {
#if ${relu}
  return max(x, 0.0);
#elif ${leakyRelu}
  return select(ALPHA * x, x, x > 0.0);
#elif ${elu}
  return select(ALPHA * (exp(x) - 1.0), x, x > 0.0);
#elif ${sigmoid}
  return 1.0 / (1.0 + exp(-x));
#elif ${tanh}
  return tanh(clamp(x, -20.0, 20.0)); // some tanh implementations return NaN past ±44; f32 tanh(20) is 1
#else
  return x;
#endif
}

// act'(x) written in terms of y = act(x): y > 0 exactly when x > 0 for the relu family (ALPHA >= 0).
fn activate_grad(y: f32) -> f32 {
#if ${relu}
  return select(0.0, 1.0, y > 0.0);
#elif ${leakyRelu}
  return select(ALPHA, 1.0, y > 0.0);
#elif ${elu}
  return select(y + ALPHA, 1.0, y > 0.0);
#elif ${sigmoid}
  return y * (1.0 - y);
#elif ${tanh}
  return 1.0 - y * y;
#else
  return 1.0;
#endif
}

fn load_a(m: u32, k: u32) -> f32 { return a_at(a_start(m) + k * k_steps().x); }
fn load_b(k: u32, n: u32) -> f32 { return b_at(b_start(n) + k * k_steps().y); }

#if ${tiled}
// Tiled: each thread computes one element of C from TILE × TILE tiles of A and B staged in workgroup
// memory. Good where barriers are cheap (most discrete GPUs).
var<workgroup> tile_a: array<f32, TILE * TILE>; // (TILE rows of A, TILE columns of K)
var<workgroup> tile_b: array<f32, TILE * TILE>; // (TILE rows of K, TILE columns of B)

@compute @workgroup_size(TILE, TILE)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let size = size_mnk();
  let m = wg.y * TILE + lid.y;
  let n = wg.x * TILE + lid.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < size.z; k0 += TILE) {
    // Each thread stages one element of each tile; zeros pad the edges so the inner loop needs no checks.
    let ka = k0 + lid.x;
    var a = 0.0;
    if (m < size.x && ka < size.z) { a = load_a(m, ka); }
    tile_a[lid.y * TILE + lid.x] = a;
    let kb = k0 + lid.y;
    var b = 0.0;
    if (kb < size.z && n < size.y) { b = load_b(kb, n); }
    tile_b[lid.y * TILE + lid.x] = b;
    workgroupBarrier();
    for (var k = 0u; k < TILE; k++) {
      acc += tile_a[lid.y * TILE + k] * tile_b[k * TILE + lid.x];
    }
    workgroupBarrier();
  }
  if (m < size.x && n < size.y) { store_c(m, n, acc); }
}
#else
// Register-blocked: each thread computes an 8 × 8 block of C straight from memory, with no workgroup
// memory and no barriers. Good where barriers are costly (SwiftShader and other CPU adapters): 16 loads
// feed 64 multiply-adds, where a 4 × 4 block needs 8 loads for 16 (see BENCHMARKS.md for what that bought).
@compute @workgroup_size(TILE, TILE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = size_mnk();
  let m0 = gid.y * 8u;
  let n0 = gid.x * 8u;
  if (m0 >= size.x || n0 >= size.y) { return; }
  // Edge blocks read clamped rows and columns again; those results are never stored.
  let m_lo = clamped4(m0, size.x);
  let m_hi = clamped4(m0 + 4u, size.x);
  let n_lo = clamped4(n0, size.y);
  let n_hi = clamped4(n0 + 4u, size.y);
  // Where row m of A and column n of B start, computed once: in the loop each load is one add away.
  let step_k = k_steps();
  let ia_lo = vec4u(a_start(m_lo.x), a_start(m_lo.y), a_start(m_lo.z), a_start(m_lo.w));
  let ia_hi = vec4u(a_start(m_hi.x), a_start(m_hi.y), a_start(m_hi.z), a_start(m_hi.w));
  let ib_lo = vec4u(b_start(n_lo.x), b_start(n_lo.y), b_start(n_lo.z), b_start(n_lo.w));
  let ib_hi = vec4u(b_start(n_hi.x), b_start(n_hi.y), b_start(n_hi.z), b_start(n_hi.w));
  var c_lo: array<vec4f, 8>; // c_lo[i] = C[m0 + i, n0 .. n0 + 3]
  var c_hi: array<vec4f, 8>; // c_hi[i] = C[m0 + i, n0 + 4 .. n0 + 7]
  for (var k = 0u; k < size.z; k++) {
    let ka = k * step_k.x;
    let kb = k * step_k.y;
    let a_lo = vec4f(a_at(ia_lo.x + ka), a_at(ia_lo.y + ka), a_at(ia_lo.z + ka), a_at(ia_lo.w + ka));
    let a_hi = vec4f(a_at(ia_hi.x + ka), a_at(ia_hi.y + ka), a_at(ia_hi.z + ka), a_at(ia_hi.w + ka));
    let b_lo = vec4f(b_at(ib_lo.x + kb), b_at(ib_lo.y + kb), b_at(ib_lo.z + kb), b_at(ib_lo.w + kb));
    let b_hi = vec4f(b_at(ib_hi.x + kb), b_at(ib_hi.y + kb), b_at(ib_hi.z + kb), b_at(ib_hi.w + kb));
    c_lo[0] += a_lo.x * b_lo; c_hi[0] += a_lo.x * b_hi;
    c_lo[1] += a_lo.y * b_lo; c_hi[1] += a_lo.y * b_hi;
    c_lo[2] += a_lo.z * b_lo; c_hi[2] += a_lo.z * b_hi;
    c_lo[3] += a_lo.w * b_lo; c_hi[3] += a_lo.w * b_hi;
    c_lo[4] += a_hi.x * b_lo; c_hi[4] += a_hi.x * b_hi;
    c_lo[5] += a_hi.y * b_lo; c_hi[5] += a_hi.y * b_hi;
    c_lo[6] += a_hi.z * b_lo; c_hi[6] += a_hi.z * b_hi;
    c_lo[7] += a_hi.w * b_lo; c_hi[7] += a_hi.w * b_hi;
  }
  for (var i = 0u; i < 8u; i++) {
    for (var j = 0u; j < 4u; j++) {
      if (m0 + i < size.x && n0 + j < size.y) { store_c(m0 + i, n0 + j, c_lo[i][j]); }
      if (m0 + i < size.x && n0 + 4u + j < size.y) { store_c(m0 + i, n0 + 4u + j, c_hi[i][j]); }
    }
  }
}

// Indices first .. first + 3, each clamped below `count`.
fn clamped4(first: u32, count: u32) -> vec4u {
  return min(vec4u(first) + vec4u(0u, 1u, 2u, 3u), vec4u(count - 1u));
}
#endif
