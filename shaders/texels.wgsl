// A matrix's rows copied into a texture, 4 values a texel: texel (q, r) = src[r, 4q .. 4q + 3], zeros past the
// last column. A product then reads 4 values of a row in one fetch, where a storage buffer takes 4 loads (each a
// gather on SwiftShader). Winograd's transformed weights u (16 · C, F) are copied so for its forward products
// (src/ops/winograd.ts), whose F need not be a multiple of 4 (a matrix whose rows hold whole texels is copied
// without a shader: src/ops/texels.ts). The autotune (src/model/autotune.ts) decides per adapter whether this pays.

struct Dims {
  rows: u32,
  cols: u32,
  quads: u32, // ceil(cols / 4): texels per row
}

override WORKGROUP: u32 = 64u;

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> src: array<f32>;                // (rows, cols)
@group(1) @binding(2) var texels: texture_storage_2d<rgba32float, write>; // (rows, quads) texels

// x: row · quads + q
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x / dims.quads;
  let q = gid.x % dims.quads;
  if (row >= dims.rows) { return; }
  let c = 4u * q;
  let at = row * dims.cols + c; // src[row, c]
  textureStore(texels, vec2u(q, row), vec4f(value_at(at, c), value_at(at + 1u, c + 1u), value_at(at + 2u, c + 2u), value_at(at + 3u, c + 3u)));
}

// src at `at`, column c: zero past the last column.
fn value_at(at: u32, c: u32) -> f32 {
  if (c >= dims.cols) { return 0.0; }
  return src[at];
}
