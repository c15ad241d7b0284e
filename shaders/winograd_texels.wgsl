// Winograd's transformed weights u (16, C, F), as shaders/winograd.wgsl's weights pass wrote them, copied into a
// texture of 4 filters a texel: texel (q, ξ · C + c) = u[ξ, c, 4q .. 4q + 3], zeros past F. The forward's 16
// products (shaders/winograd_product.wgsl with texels) read a block's 4 filters there in one fetch, where a
// storage buffer takes 4 loads (each a gather on SwiftShader). The autotune (src/model/autotune.ts) decides per
// adapter whether this pays.

struct Dims {
  rows: u32,    // 16 · C: u's rows
  filters: u32, // F
  quads: u32,   // ceil(F / 4): texels per row
}

override WORKGROUP: u32 = 64u;

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> u: array<f32>;                  // (16, C, F)
@group(1) @binding(2) var texels: texture_storage_2d<rgba32float, write>; // (16 · C, ceil(F / 4)) texels

// x: row · quads + q
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x / dims.quads;
  let q = gid.x % dims.quads;
  if (row >= dims.rows) { return; }
  let f = 4u * q;
  let at = row * dims.filters + f; // u[row, f]
  textureStore(texels, vec2u(q, row), vec4f(filter_at(at, f), filter_at(at + 1u, f + 1u), filter_at(at + 2u, f + 2u), filter_at(at + 3u, f + 3u)));
}

// u at `at`, filter f: zero past the last filter.
fn filter_at(at: u32, f: u32) -> f32 {
  if (f >= dims.filters) { return 0.0; }
  return u[at];
}
