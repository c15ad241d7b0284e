// The forward product of the layer that reads the data, from textures: out = act(inp · weightᵀ + bias), out
// (rows, n_out), where inp (rows, n_in) and weight (n_out, n_in) were copied in order, 4 values a texel (n_in a
// multiple of 4; src/ops/texels.ts). Both lie with k along their rows, so a texel holds 4 k: each thread computes
// a block of 8 rows × 8 units, a texel of each of its rows and units at a time. A storage buffer takes 4 loads for
// what a texel gives in one fetch (each load a gather on SwiftShader, where this runs layer 0 of the MNIST MLP
// about twice as fast as shaders/gemm.wgsl's 8 × 8 blocks).
// The input's zeros are skipped as in gemm.wgsl's sparse products: k_mask (shaders/nonzero.wgsl) says, for each
// block of 8 rows, which k hold a nonzero inp[m, k]; a texel is read where any of its 4 k does.

struct Dims {
  n_in: u32,
  n_out: u32,
  quads: u32,          // n_in / 4: texels a row
  inp_scale: vec2f,    // 1 / the textures' sizes (texels across, down)
  weight_scale: vec2f,
}

override BLOCKS_X: u32 = 4u; // the workgroup is BLOCKS_X × BLOCKS_Y threads, a block each
override BLOCKS_Y: u32 = 4u;
const BLOCK = 8u;

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var inp: texture_2d<f32>;                 // (rows, n_in) in order
@group(1) @binding(2) var weight: texture_2d<f32>;              // (n_out, n_in) in order
@group(1) @binding(3) var<storage, read> bias: array<f32>;      // (n_out)
@group(1) @binding(4) var<storage, read_write> out: array<f32>; // (rows, n_out)
@group(1) @binding(5) var<storage, read> k_mask: array<u32>;    // (rows / BLOCK, n_in / 32): inp's nonzero columns per BLOCK rows
@group(1) @binding(6) var nearest: sampler;

// The thread's block: c0[i] = out[m0 + i, n0 .. n0 + 3] before bias and act; c1 holds the next 4 units.
var<private> c0: array<vec4f, 8>;
var<private> c1: array<vec4f, 8>;

@compute @workgroup_size(BLOCKS_X, BLOCKS_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * BLOCK;
  let n0 = gid.x * BLOCK;
  if (m0 >= step.rows || n0 >= dims.n_out) { return; }
  // The first texel of each row and unit. Edge blocks read clamped rows and units again; those results are never stored.
  let rows = array(clamped4(m0, step.rows) * dims.quads, clamped4(m0 + 4u, step.rows) * dims.quads);
  let units = array(clamped4(n0, dims.n_out) * dims.quads, clamped4(n0 + 4u, dims.n_out) * dims.quads);
  let words = (dims.n_in + 31u) / 32u;
  for (var w = 0u; w < words; w++) {
    // Bit j of a mask word is k = 32w + j; bit 4t of `texels` is set where one of texel 8w + t's 4 k is.
    let bits = k_mask[m0 / BLOCK * words + w];
    var texels = (bits | (bits >> 1u) | (bits >> 2u) | (bits >> 3u)) & 0x11111111u;
    while (texels != 0u) {
      accumulate(8u * w + countTrailingZeros(texels) / 4u, rows, units);
      texels &= texels - 1u; // clears the lowest set bit
    }
  }
  // Constant indices into c0 and c1 (see accumulate).
  store_row(m0, n0, c0[0], c1[0]);
  store_row(m0 + 1u, n0, c0[1], c1[1]);
  store_row(m0 + 2u, n0, c0[2], c1[2]);
  store_row(m0 + 3u, n0, c0[3], c1[3]);
  store_row(m0 + 4u, n0, c0[4], c1[4]);
  store_row(m0 + 5u, n0, c0[5], c1[5]);
  store_row(m0 + 6u, n0, c0[6], c1[6]);
  store_row(m0 + 7u, n0, c0[7], c1[7]);
}

// Adds texel q (k = 4q .. 4q + 3) of each row to the block, one k at a time as gemm.wgsl's products do: the same
// terms in the same order, so that the layer trains bit for bit alike from buffers or textures (a k that is zero
// in all the block's rows, which gemm.wgsl skips, adds zeros here, which change no sum). `rows` and `units` are
// the first texels of the block's; w0[j] holds 4 units' weights at k = 4q + j (4 units' texels, transposed).
fn accumulate(q: u32, rows: array<vec4u, 2>, units: array<vec4u, 2>) {
  let w0 = transpose(mat4x4f(weight_texel(q, units[0].x), weight_texel(q, units[0].y), weight_texel(q, units[0].z), weight_texel(q, units[0].w)));
  let w1 = transpose(mat4x4f(weight_texel(q, units[1].x), weight_texel(q, units[1].y), weight_texel(q, units[1].z), weight_texel(q, units[1].w)));
  // Every index into c0 and c1 a constant: an array indexed at run time stays in memory on SwiftShader.
  let a0 = inp_texel(q, rows[0].x); c0[0] = add_products(c0[0], a0, w0); c1[0] = add_products(c1[0], a0, w1);
  let a1 = inp_texel(q, rows[0].y); c0[1] = add_products(c0[1], a1, w0); c1[1] = add_products(c1[1], a1, w1);
  let a2 = inp_texel(q, rows[0].z); c0[2] = add_products(c0[2], a2, w0); c1[2] = add_products(c1[2], a2, w1);
  let a3 = inp_texel(q, rows[0].w); c0[3] = add_products(c0[3], a3, w0); c1[3] = add_products(c1[3], a3, w1);
  let a4 = inp_texel(q, rows[1].x); c0[4] = add_products(c0[4], a4, w0); c1[4] = add_products(c1[4], a4, w1);
  let a5 = inp_texel(q, rows[1].y); c0[5] = add_products(c0[5], a5, w0); c1[5] = add_products(c1[5], a5, w1);
  let a6 = inp_texel(q, rows[1].z); c0[6] = add_products(c0[6], a6, w0); c1[6] = add_products(c1[6], a6, w1);
  let a7 = inp_texel(q, rows[1].w); c0[7] = add_products(c0[7], a7, w0); c1[7] = add_products(c1[7], a7, w1);
}

// c + a.x · w[0] + a.y · w[1] + a.z · w[2] + a.w · w[3], added in that order.
fn add_products(c: vec4f, a: vec4f, w: mat4x4f) -> vec4f {
  return c + a.x * w[0] + a.y * w[1] + a.z * w[2] + a.w * w[3];
}

// Texel q of a row of inp, or of a unit's row of the weight, from that row's first texel.
fn inp_texel(q: u32, row: u32) -> vec4f { return texel_in_order(inp, nearest, row + q, dims.inp_scale); }
fn weight_texel(q: u32, unit: u32) -> vec4f { return texel_in_order(weight, nearest, unit + q, dims.weight_scale); }

// out[m, n .. n + 7] = act(q0, q1 + bias), where inside out
fn store_row(m: u32, n: u32, q0: vec4f, q1: vec4f) {
  if (m >= step.rows) { return; }
  store_quad(m, n, q0);
  store_quad(m, n + 4u, q1);
}
fn store_quad(m: u32, n: u32, q: vec4f) {
  if (n < dims.n_out) { out[m * dims.n_out + n] = activate(q.x + bias[n]); }
  if (n + 1u < dims.n_out) { out[m * dims.n_out + n + 1u] = activate(q.y + bias[n + 1u]); }
  if (n + 2u < dims.n_out) { out[m * dims.n_out + n + 2u] = activate(q.z + bias[n + 2u]); }
  if (n + 3u < dims.n_out) { out[m * dims.n_out + n + 3u] = activate(q.w + bias[n + 3u]); }
}

// Indices first .. first + 3, each clamped below `count`.
fn clamped4(first: u32, count: u32) -> vec4u {
  return min(vec4u(first) + vec4u(0u, 1u, 2u, 3u), vec4u(count - 1u));
}
