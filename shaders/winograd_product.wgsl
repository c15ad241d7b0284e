// The 16 products of a Winograd convolution (shaders/winograd.wgsl): p[ξ] = v[ξ] · u[ξ] for ξ = 0 .. 15,
// the workgroup's z, with v (16, M, C) the transformed input tiles (M = rows · tiles), u (16, C, F) the
// transformed weights and p (16, M, F).
// With flipped (shaders/winograd_grad.wgsl, the input gradient): v (16, M, F) the transformed output gradient's
// tiles, and the product p (16, M, C) = v[ξ] · u[σ(ξ)]ᵀ, where σ swaps the first and last rows and columns of ξ's
// 4 × 4: the same u, as the forward's weights pass wrote it, read as the flipped and transposed weights' transform.
// With texels (the forward, register-blocked), u is read from shaders/texels.wgsl's texture, 4 filters a
// texel.
// Below, C is the product's k and F its columns: flipped, the forward's F and C.
// With weightGrad (shaders/winograd_weight_grad.wgsl): the forward's v (16, M, C) and q (16, M, F), the output
// gradient's transformed tiles; part s of du[ξ] (C, F) = v[ξ]ᵀ · q[ξ] sums the M of its share, [s, s + 1) · ⌈M / S⌉,
// into parts (S, 16, C, F). The workgroup's z is then s · 16 + ξ: the M are many, C and F few.
//
// This file says what C(M, N) = A(M, K) · B(K, N) is here: A[m, k] = a_at(a_start(m) + a_offset(k)),
// B[k, n] = b_at(b_start(n) + b_offset(k)), and store_c where C goes. shaders/gemm.wgsl, appended, computes it
// and sets `part`, the workgroup's z: here ξ.

struct Dims {
  channels: u32,   // C: the products' k (weightGrad: its rows)
  filters: u32,    // F
  tiles: u32,      // per sample
  splits: u32,     // weightGrad: S, the parts of each product
#if ${texels}
  u_scale: vec2f,  // 1 / u's texture size (texels across, down)
#endif
}

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> v: array<f32>;          // (16, rows · tiles, C)
#if ${weightGrad}
@group(1) @binding(2) var<storage, read> q: array<f32>;          // (16, rows · tiles, F)
@group(1) @binding(3) var<storage, read_write> parts: array<f32>; // (S, 16, C, F)

fn size_mnk() -> vec3u { return vec3u(dims.channels, dims.filters, step.rows * dims.tiles); }
fn k_steps() -> vec2u { return vec2u(dims.channels, dims.filters); }
// The M that part z sums: its share of every step's tiles.
fn k_range(z: u32) -> vec2u {
  let m = step.rows * dims.tiles;
  let share = (m + dims.splits - 1u) / dims.splits;
  let s = z / 16u;
  return vec2u(min(s * share, m), min((s + 1u) * share, m));
}
fn xi() -> u32 { return part % 16u; }
// A[c, k] = v[ξ, k, c]
fn a_at(i: u32) -> f32 { return v[i]; }
fn a_start(m: u32) -> u32 { return xi() * step.rows * dims.tiles * dims.channels + m; }
fn a_offset(k: u32, steps: vec2u) -> u32 { return k * steps.x; }
// B[k, f] = q[ξ, k, f]
fn b_at(i: u32) -> f32 { return q[i]; }
fn b_start(n: u32) -> u32 { return xi() * step.rows * dims.tiles * dims.filters + n; }
fn b_offset(k: u32, steps: vec2u) -> u32 { return k * steps.y; }
fn store_c(m: u32, n: u32, acc: f32) { parts[(part * dims.channels + m) * dims.filters + n] = acc; }
#else
#if ${flipped}
@group(1) @binding(2) var<storage, read> u: array<f32>;          // (16, F, C): the forward's, its filters our C
#elif ${texels}
@group(1) @binding(2) var u: texture_2d<f32>;                    // (16 · C, ceil(F / 4)) texels: shaders/texels.wgsl
@group(1) @binding(4) var nearest: sampler;
#else
@group(1) @binding(2) var<storage, read> u: array<f32>;          // (16, C, F)
#endif
@group(1) @binding(3) var<storage, read_write> p: array<f32>;    // (16, rows · tiles, F)

fn size_mnk() -> vec3u { return vec3u(step.rows * dims.tiles, dims.filters, dims.channels); }
fn k_range(z: u32) -> vec2u { return vec2u(0u, dims.channels); }
#if ${flipped}
fn k_steps() -> vec2u { return vec2u(1u, 1u); }
#else
fn k_steps() -> vec2u { return vec2u(1u, dims.filters); }
#endif

// A[m, k] = v[ξ, m, k]
fn a_at(i: u32) -> f32 { return v[i]; }
fn a_start(m: u32) -> u32 { return (part * step.rows * dims.tiles + m) * dims.channels; }
fn a_offset(k: u32, steps: vec2u) -> u32 { return k * steps.x; }

#if ${flipped}
fn b_at(i: u32) -> f32 { return u[i]; }
// B[k, n] = u[σ(ξ), n, k]
fn b_start(n: u32) -> u32 { return (4u * swapped(part / 4u) + swapped(part % 4u)) * dims.channels * dims.filters + n * dims.channels; }
// Row or column i of the 4 × 4, the first and last swapped.
fn swapped(i: u32) -> u32 { return select(i, 3u - i, i == 0u || i == 3u); }
#elif ${texels}
// B[k, n .. n + 3] = u[ξ, k, n .. n + 3]: texel (n / 4, ξ · C + k)
fn b_texel(k: u32, n: u32) -> vec4f { return texel_at(u, nearest, n / 4u, part * dims.channels + k, dims.u_scale); }
fn b_start(n: u32) -> u32 { return n; }
#else
fn b_at(i: u32) -> f32 { return u[i]; }
// B[k, n] = u[ξ, k, n]
fn b_start(n: u32) -> u32 { return part * dims.channels * dims.filters + n; }
#endif
fn b_offset(k: u32, steps: vec2u) -> u32 { return k * steps.y; }

fn store_c(m: u32, n: u32, acc: f32) { p[(part * step.rows * dims.tiles + m) * dims.filters + n] = acc; }
#endif
