// The 16 products of a Winograd convolution (shaders/winograd.wgsl): p[ξ] = v[ξ] · u[ξ] for ξ = 0 .. 15,
// the workgroup's z, with v (16, M, C) the transformed input tiles (M = rows · tiles), u (16, C, F) the
// transformed weights and p (16, M, F).
//
// This file says what C(M, N) = A(M, K) · B(K, N) is here: A[m, k] = a_at(a_start(m) + a_offset(k)),
// B[k, n] = b_at(b_start(n) + b_offset(k)), and store_c where C goes. shaders/gemm.wgsl, appended, computes it
// and sets `part`, the workgroup's z: here ξ.

struct Dims {
  channels: u32,   // C: the products' k
  filters: u32,    // F
  tiles: u32,      // per sample
}

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> v: array<f32>;          // (16, rows · tiles, C)
@group(1) @binding(2) var<storage, read> u: array<f32>;          // (16, C, F)
@group(1) @binding(3) var<storage, read_write> p: array<f32>;    // (16, rows · tiles, F)

fn size_mnk() -> vec3u { return vec3u(step.rows * dims.tiles, dims.filters, dims.channels); }
fn k_range(z: u32) -> vec2u { return vec2u(0u, dims.channels); }
fn k_steps() -> vec2u { return vec2u(1u, dims.filters); }

// A[m, k] = v[ξ, m, k]
fn a_at(i: u32) -> f32 { return v[i]; }
fn a_start(m: u32) -> u32 { return (part * step.rows * dims.tiles + m) * dims.channels; }
fn a_offset(k: u32, steps: vec2u) -> u32 { return k * steps.x; }

// B[k, n] = u[ξ, k, n]
fn b_at(i: u32) -> f32 { return u[i]; }
fn b_start(n: u32) -> u32 { return part * dims.channels * dims.filters + n; }
fn b_offset(k: u32, steps: vec2u) -> u32 { return k * steps.y; }

fn store_c(m: u32, n: u32, acc: f32) { p[(part * step.rows * dims.tiles + m) * dims.filters + n] = acc; }
