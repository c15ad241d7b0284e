// A dense layer's forward product, bias and activation: out = act(inp · weightᵀ + bias), out (rows, n_out),
// where rows = step.rows · positions: a dense layer has 1 position per sample; a convolution multiplies its
// patches, one row per output position, by weight (filters, channels · kh · kw). The patches are either a
// matrix that shaders/conv2d.wgsl built (im2col), or, with patches, read where they lie in the layer's input
// through two tables: `corners` says where each position's patch starts in a sample and `taps` where each of
// its values is from there.
// With pooled (patches), a convolution's rows come 4 by 4, the 2 × 2 windows of the max pool after it (see
// patchTables in src/ops/conv2d.ts): out gets each window's max, and argmax which of its 4 rows that was.
// With sparse, inp is the batch of input data and k_mask (shaders/nonzero.wgsl) says, for each block of BLOCK rows,
// which k hold a nonzero inp[m, k]; the others add nothing and are skipped.
// With live (patches of the input data), the product also notes which rows' patches hold a nonzero value, a
// block of BLOCK rows (gemm.wgsl's) to a word of `live`, for shaders/matmul_backward_weight.wgsl to skip the others.
//
// This file says what C(M, N) = A(M, K) · B(K, N) is here: A[m, k] = a_at(a_start(m) + a_offset(k)),
// B[k, n] = b_at(b_start(n) + b_offset(k)), and store_c (or store_window) where C goes. shaders/gemm.wgsl,
// appended, computes it.

struct Dims {
  n_in: u32,
  n_out: u32,
  positions: u32,
  sample: u32,     // patches: values per sample of the layer's input
}

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> inp: array<f32>;        // (rows, n_in)
@group(1) @binding(2) var<storage, read> weight: array<f32>;     // (n_out, n_in)
@group(1) @binding(3) var<storage, read> bias: array<f32>;       // (n_out)
#if ${pooled}
@group(1) @binding(4) var<storage, read_write> out: array<f32>;  // (rows / 4, n_out): each window's max
@group(1) @binding(7) var<storage, read_write> argmax: array<u32>; // (rows / 4, n_out): which of its rows that was
#else
@group(1) @binding(4) var<storage, read_write> out: array<f32>;  // (rows, n_out)
#endif
#if ${sparse}
@group(1) @binding(5) var<storage, read> k_mask: array<u32>;     // (rows / BLOCK, n_in / 32): inp's nonzero columns per BLOCK rows
#endif
#if ${patches}
@group(1) @binding(5) var<storage, read> taps: array<u32>;       // (n_in): where tap k of a patch is, from its start
@group(1) @binding(6) var<storage, read> corners: array<u32>;    // (positions): where position p's patch starts in a sample
#endif
#if ${live}
#if ${pooled}
@group(1) @binding(8) var<storage, read_write> live: array<u32>; // (rows / BLOCK): bit i of word b: row BLOCK·b + i's patch has a nonzero
#else
@group(1) @binding(7) var<storage, read_write> live: array<u32>; // (rows / BLOCK): bit i of word b: row BLOCK·b + i's patch has a nonzero
#endif
#endif

fn size_mnk() -> vec3u { return vec3u(step.rows * dims.positions, dims.n_out, dims.n_in); }
fn k_range(z: u32) -> vec2u { return vec2u(0u, dims.n_in); }
fn k_steps() -> vec2u { return vec2u(1u, 1u); }

fn a_at(i: u32) -> f32 { return inp[i]; }
#if ${patches}
// A[m, k] = inp (rows, C, H, W) at tap k of the patch of row m = (sample, position)
fn a_start(m: u32) -> u32 { return m / dims.positions * dims.sample + corners[m % dims.positions]; }
fn a_offset(k: u32, steps: vec2u) -> u32 { return taps[k]; }
#else
// A[m, k] = inp[m · n_in + k]
fn a_start(m: u32) -> u32 { return m * dims.n_in; }
fn a_offset(k: u32, steps: vec2u) -> u32 { return k * steps.x; }
#endif

// B[k, n] = weight[n · n_in + k]
fn b_at(i: u32) -> f32 { return weight[i]; }
fn b_start(n: u32) -> u32 { return n * dims.n_in; }
fn b_offset(k: u32, steps: vec2u) -> u32 { return k * steps.y; }

#if ${pooled}
// Window w's max at column n of C, and which of its 4 rows it was (gemm.wgsl's window_max): out gets act(max + bias).
fn store_window(w: u32, n: u32, best: f32, at: u32) {
  out[w * dims.n_out + n] = activate(best + bias[n]);
  argmax[w * dims.n_out + n] = at;
}
#else
fn store_c(m: u32, n: u32, acc: f32) { out[m * dims.n_out + n] = activate(acc + bias[n]); }
#endif
