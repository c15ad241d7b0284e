// A dense layer's weight gradient: dweight = doutᵀ · inp, dweight (n_out, n_in), summed over rows =
// step.rows · positions (a convolution's output positions per sample; 1 for a dense layer).
// With perSample, workgroup z sums only sample z's positions, into its own (n_out, n_in) slice of dweight: a
// convolution's few weights then get many threads, and shaders/bias_grad.wgsl adds the slices up.
// With patches (perSample), inp is a convolution's input, whose patches are read where they lie through two
// tables (see shaders/matmul_forward.wgsl).
// With sparse, inp is the batch of input data and the product is taken as its transpose, dweightᵀ = inpᵀ · dout,
// so that A is the input: k_mask (shaders/nonzero.wgsl) says which of its k (rows) are nonzero in a block of BLOCK
// columns, and the others are skipped. With texels too (register-blocked), dout and inp are read from textures
// holding them in order, 4 values a texel (n_in and n_out multiples of 4; src/ops/texels.ts): a block's 4 rows
// of A, or 4 columns of B, in one fetch.
// With live (patches of the input data), only the rows whose patch the forward product saw a nonzero in are
// summed: a patch of zeros adds nothing to the weight gradient. About 40% of MNIST's 5 × 5 patches are.
// (A patch of NaNs may count as zeros; the loss is NaN then, and fit stops with DivergenceError.)
//
// This file says what C(M, N) = A(M, K) · B(K, N) is here: A[m, k] = a_at(a_start(m) + a_offset(k)),
// B[k, n] = b_at(b_start(n) + b_offset(k)), and store_c where C goes. shaders/gemm.wgsl, appended, computes it
// and sets `part`, the workgroup's z.

struct Dims {
  n_in: u32,
  n_out: u32,
  positions: u32,
  sample: u32,     // patches: values per sample of the layer's input
#if ${texels}
  inp_scale: vec2f,  // 1 / the textures' sizes (texels across, down)
  dout_scale: vec2f,
#endif
}

@group(1) @binding(0) var<uniform> dims: Dims;
#if ${texels}
@group(1) @binding(1) var dout: texture_2d<f32>;                    // (rows, n_out) in order
@group(1) @binding(2) var inp: texture_2d<f32>;                     // (rows, n_in) in order
#else
@group(1) @binding(1) var<storage, read> dout: array<f32>;          // (rows, n_out)
@group(1) @binding(2) var<storage, read> inp: array<f32>;           // (rows, n_in)
#endif
#if ${perSample}
@group(1) @binding(3) var<storage, read_write> dweight: array<f32>; // (step rows, n_out, n_in): one sample's sum each
#else
@group(1) @binding(3) var<storage, read_write> dweight: array<f32>; // (n_out, n_in)
#endif
#if ${sparse}
@group(1) @binding(4) var<storage, read> k_mask: array<u32>;        // (n_in / BLOCK, rows / 32): inp's nonzero rows per BLOCK columns
#endif
#if ${texels}
@group(1) @binding(5) var nearest: sampler;
#endif
#if ${patches}
@group(1) @binding(4) var<storage, read> taps: array<u32>;          // (n_in): where tap n of a patch is, from its start
@group(1) @binding(5) var<storage, read> corners: array<u32>;       // (positions): where position k's patch starts in a sample
#endif
#if ${live}
@group(1) @binding(6) var<storage, read> live: array<u32>;          // (rows / BLOCK): as the forward product wrote it
#endif

// The k (rows of dout and inp) that workgroup z sums over.
fn k_range(z: u32) -> vec2u {
#if ${perSample}
  return vec2u(z, z + 1u) * dims.positions;
#else
  return vec2u(0u, step.rows * dims.positions);
#endif
}

#if ${sparse}
fn size_mnk() -> vec3u { return vec3u(dims.n_in, dims.n_out, step.rows * dims.positions); }
fn k_steps() -> vec2u { return vec2u(dims.n_in, dims.n_out); }
fn a_start(m: u32) -> u32 { return m; }
fn a_offset(k: u32, steps: vec2u) -> u32 { return k * steps.x; }
fn b_start(n: u32) -> u32 { return n; }
fn b_offset(k: u32, steps: vec2u) -> u32 { return k * steps.y; }
#if ${texels}
// A[m .. m + 3, k] = inp[k, m .. m + 3], and B[k, n .. n + 3] = dout[k, n .. n + 3]: a texel each
fn a_texel(k: u32, m: u32) -> vec4f { return texel_in_order(inp, nearest, (k * dims.n_in + m) / 4u, dims.inp_scale); }
fn b_texel(k: u32, n: u32) -> vec4f { return texel_in_order(dout, nearest, (k * dims.n_out + n) / 4u, dims.dout_scale); }
#else
// A[m, k] = inp[k · n_in + m]
fn a_at(i: u32) -> f32 { return inp[i]; }
// B[k, n] = dout[k · n_out + n]
fn b_at(i: u32) -> f32 { return dout[i]; }
#endif
fn store_c(m: u32, n: u32, acc: f32) { dweight[n * dims.n_in + m] = acc; }
#else
fn size_mnk() -> vec3u { return vec3u(dims.n_out, dims.n_in, step.rows * dims.positions); }
fn k_steps() -> vec2u { return vec2u(dims.n_out, dims.n_in); }
// A[m, k] = dout[k · n_out + m]
fn a_at(i: u32) -> f32 { return dout[i]; }
fn a_start(m: u32) -> u32 { return m; }
fn a_offset(k: u32, steps: vec2u) -> u32 { return k * steps.x; }
fn b_at(i: u32) -> f32 { return inp[i]; }
#if ${patches}
// B[k, n] = inp (rows, C, H, W) at tap n of the patch of row k = (sample part, position)
fn b_start(n: u32) -> u32 { return taps[n]; }
fn b_offset(k: u32, steps: vec2u) -> u32 {
  return part * dims.sample + corners[k - part * dims.positions]; // perSample: k is a position of sample `part`
}
#else
// B[k, n] = inp[k · n_in + n]
fn b_start(n: u32) -> u32 { return n; }
fn b_offset(k: u32, steps: vec2u) -> u32 { return k * steps.y; }
#endif
fn store_c(m: u32, n: u32, acc: f32) { dweight[(part * dims.n_out + m) * dims.n_in + n] = acc; }
#endif
