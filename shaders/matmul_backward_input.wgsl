// A dense layer's input gradient: dinp = (dout · weight) ⊙ act'(inp), dinp (rows, n_in), where rows =
// step.rows · positions (a convolution's output positions per sample; 1 for a dense layer).
// act' is taken from the activation's output (inp is the previous layer's output), which is exact for every
// activation here. With columns, dinp's columns are the weight's in another order, a table's: a convolution's
// patches' gradient, channels last.
//
// This file says what C(M, N) = A(M, K) · B(K, N) is here: A[m, k] = a_at(a_start(m) + a_offset(k)),
// B[k, n] = b_at(b_start(n) + b_offset(k)), and store_c where C goes. shaders/gemm.wgsl, appended, computes it.

struct Dims {
  n_in: u32,
  n_out: u32,
  positions: u32,
  sample: u32,     // unused here
}

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> dout: array<f32>;       // (rows, n_out)
@group(1) @binding(2) var<storage, read> weight: array<f32>;     // (n_out, n_in)
@group(1) @binding(3) var<storage, read> inp: array<f32>;        // (rows, n_in), previous layer's output
@group(1) @binding(4) var<storage, read_write> dinp: array<f32>; // (rows, n_in), w.r.t. its pre-activation
#if ${columns}
@group(1) @binding(5) var<storage, read> columns: array<u32>;    // (n_in): the weight's column that dinp's column n is
#endif

fn size_mnk() -> vec3u { return vec3u(step.rows * dims.positions, dims.n_in, dims.n_out); }
fn k_range(z: u32) -> vec2u { return vec2u(0u, dims.n_out); }
fn k_steps() -> vec2u { return vec2u(1u, dims.n_in); }

// A[m, k] = dout[m · n_out + k]
fn a_at(i: u32) -> f32 { return dout[i]; }
fn a_start(m: u32) -> u32 { return m * dims.n_out; }
fn a_offset(k: u32, steps: vec2u) -> u32 { return k * steps.x; }

fn b_at(i: u32) -> f32 { return weight[i]; }
#if ${columns}
fn b_start(n: u32) -> u32 { return columns[n]; }      // B[k, n] = weight[k · n_in + columns[n]]
#else
fn b_start(n: u32) -> u32 { return n; }               // B[k, n] = weight[k · n_in + n]
#endif
fn b_offset(k: u32, steps: vec2u) -> u32 { return k * steps.y; }

fn store_c(m: u32, n: u32, acc: f32) {
  let i = m * dims.n_in + n;
  dinp[i] = acc * activate_grad(inp[i]);
}
