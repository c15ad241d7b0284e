// A 3 × 3 convolution of stride 1 by Winograd's minimal filtering F(2 × 2, 3 × 3) (Lavin and Gray, 2015):
// each 2 × 2 tile of the output takes 16 multiplies per (channel, filter) where the direct sum takes 36.
// The output is cut into tiles of 2 × 2 positions; tile t = (ty, tx) reads the input's 4 × 4 rows and columns
// from (2·ty, 2·tx) (zeros past the edge). With d that 4 × 4 patch of one channel, g a filter's 3 × 3 weights of
// that channel, and ⊙ the elementwise product,
//   out tile = Aᵀ [ Σ_c (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//   Bᵀ = | 1  0 -1  0 |     G = | 1    0    0   |     Aᵀ = | 1  1  1  0 |
//        | 0  1  1  0 |         | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
//        | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
//        | 0  1  0 -1 |         | 0    0    1   |
// (a correlation, as convolution layers compute: out[y, x] = Σ g[ky, kx] · d[y + ky, x + kx]). Three passes
// here and one product between them (src/ops/winograd.ts):
//   weights  u (16, C, F)     u[ξ] = (G g Gᵀ)[ξ] for every (channel, filter), ξ = 4 · row + column
//   inputs   v (16, M, C)     v[ξ] = (Bᵀ d B)[ξ] for every (tile, channel), M = rows · tiles
//   (product p (16, M, F) = v[ξ] (M, C) · u[ξ] (C, F), 16 of them: shaders/winograd_product.wgsl)
//   outputs  out             Aᵀ p A + bias, activated: each tile's 4 positions, or (pooled) the max of them
//                            with its argmax, the 2 × 2 max pool after the convolution
// The input is (rows, C, H, W) in its layout (strides as shaders/conv2d.wgsl's); the output is channels last,
// as the convolution's product writes it: (rows, out_height, out_width, F), or pooled (rows, tiles, F).

struct Dims {
  channels: u32,   // with vec4, counted in groups of 4 (as are c_stride and filters, for the pass that reads 4 at once)
  height: u32,
  width: u32,
  c_stride: u32,
  y_stride: u32,
  x_stride: u32,
  out_height: u32,
  out_width: u32,
  tiles_h: u32,    // ceil(out / 2), or (pooled) the windows: floor(out / 2)
  tiles_w: u32,
  filters: u32,
}

override WORKGROUP: u32 = 64u;

// With vec4 (inputs: channels last, a multiple of 4 of them; outputs: a multiple of 4 filters), a thread
// transforms 4 channels (filters) side by side: every value below is 4 of them.
#if ${vec4}
alias value = vec4f;
#else
alias value = f32;
#endif

@group(1) @binding(0) var<uniform> dims: Dims;
#if ${weights}
@group(1) @binding(1) var<storage, read> weight: array<f32>;     // (F, C, 3, 3)
@group(1) @binding(2) var<storage, read_write> u: array<f32>;    // (16, C, F)
#elif ${inputs}
@group(1) @binding(1) var<storage, read> inp: array<value>;      // (rows, C, H, W) in its layout
@group(1) @binding(2) var<storage, read_write> v: array<value>;  // (16, rows · tiles, C)
#else
@group(1) @binding(1) var<storage, read> p: array<value>;        // (16, rows · tiles, F)
@group(1) @binding(2) var<storage, read> bias: array<value>;     // (F)
@group(1) @binding(3) var<storage, read_write> out: array<value>; // (rows, out_height, out_width, F), or pooled (rows, tiles, F)
#if ${pooled}
@group(1) @binding(4) var<storage, read_write> argmax: array<u32>; // (rows, tiles, F): which of the window's 4 the max was, row by row
#endif
#endif

fn tiles() -> u32 { return dims.tiles_h * dims.tiles_w; }

#if ${weights}
// x: c · F + f. Gᵀ's columns, then G's rows: u = G g Gᵀ.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x / dims.filters;
  let f = gid.x % dims.filters;
  if (c >= dims.channels) { return; }
  let first = (f * dims.channels + c) * 9u;
  let g0 = times_gt(first);      // g[0, ·] Gᵀ
  let g1 = times_gt(first + 3u);
  let g2 = times_gt(first + 6u);
  let plane = dims.channels * dims.filters; // u[ξ] apart
  put_row(gid.x, plane, 0u, g0);
  put_row(gid.x, plane, 1u, 0.5 * (g0 + g1 + g2));
  put_row(gid.x, plane, 2u, 0.5 * (g0 - g1 + g2));
  put_row(gid.x, plane, 3u, g2);
}

// Row i of G g Gᵀ: u[4i + j] for j = 0 .. 3.
fn put_row(at: u32, plane: u32, i: u32, row: vec4f) {
  u[4u * i * plane + at] = row.x;
  u[(4u * i + 1u) * plane + at] = row.y;
  u[(4u * i + 2u) * plane + at] = row.z;
  u[(4u * i + 3u) * plane + at] = row.w;
}

// A row of g (3 weights from `first`) times Gᵀ.
fn times_gt(first: u32) -> vec4f {
  let g = vec3f(weight[first], weight[first + 1u], weight[first + 2u]);
  return vec4f(g.x, 0.5 * (g.x + g.y + g.z), 0.5 * (g.x - g.y + g.z), g.z);
}
#elif ${inputs}
// x: tile t · C + channel c, y: row r. v = Bᵀ d B (shaders/winograd_tile.wgsl).
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  let t = gid.x / dims.channels;
  let c = gid.x % dims.channels;
  if (t >= tiles() || r >= step.rows) { return; }
  let y0 = 2u * (t / dims.tiles_w);
  let x0 = 2u * (t % dims.tiles_w);
  let first = r * dims.channels * dims.height * dims.width + c * dims.c_stride + y0 * dims.y_stride + x0 * dims.x_stride; // d[0, 0]
  let at = (r * tiles() + t) * dims.channels + c;
  let plane = step.rows * tiles() * dims.channels; // v[ξ] apart
  put_tile(at, plane, input_row(first, y0, x0), input_row(first + dims.y_stride, y0 + 1u, x0),
    input_row(first + 2u * dims.y_stride, y0 + 2u, x0), input_row(first + 3u * dims.y_stride, y0 + 3u, x0));
}

// d's row y (its first value at `first`, column x0). Of a tile's 4 rows and columns only the last can pass the
// input's edge (the last tile of an odd output): zeros there.
fn input_row(first: u32, y: u32, x0: u32) -> array<value, 4> {
  if (y >= dims.height) { return array<value, 4>(); }
  var d3 = value(0.0);
  if (x0 + 3u < dims.width) { d3 = inp[first + 3u * dims.x_stride]; }
  return array<value, 4>(inp[first], inp[first + dims.x_stride], inp[first + 2u * dims.x_stride], d3);
}
#else
// x: tile t · F + filter f, y: row r. The tile = Aᵀ p A (shaders/winograd_tile.wgsl).
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  let t = gid.x / dims.filters;
  let f = gid.x % dims.filters;
  if (t >= tiles() || r >= step.rows) { return; }
  let at = (r * tiles() + t) * dims.filters + f;
  let plane = step.rows * tiles() * dims.filters; // p[ξ] apart
  let tile = output_tile(at, plane);
  let b = bias[f];
  let top = array(tile[0], tile[1]);    // out[2ty, 2tx + ·] - bias
  let bottom = array(tile[2], tile[3]); // out[2ty + 1, 2tx + ·] - bias
#if ${pooled}
  // The window's max (the first, if several are equal) in row-major order, as shaders/gemm.wgsl's window_max.
  var best = top[0];
  var which = vec4u(0u);
  let right = top[1] > best;
  best = select(best, top[1], right);
  which = select(which, vec4u(1u), right);
  let below = bottom[0] > best;
  best = select(best, bottom[0], below);
  which = select(which, vec4u(2u), below);
  let diagonal = bottom[1] > best;
  best = select(best, bottom[1], diagonal);
  which = select(which, vec4u(3u), diagonal);
  out[at] = activate4(best + b);
#if ${vec4}
  argmax[4u * at] = which.x; // the 4 filters'
  argmax[4u * at + 1u] = which.y;
  argmax[4u * at + 2u] = which.z;
  argmax[4u * at + 3u] = which.w;
#else
  argmax[at] = which.x;
#endif
#else
  let oy = 2u * (t / dims.tiles_w);
  let ox = 2u * (t % dims.tiles_w);
  let first = (r * dims.out_height + oy) * dims.out_width + ox; // position (oy, ox) of the sample
  let right = ox + 1u < dims.out_width;
  out[first * dims.filters + f] = activate4(top[0] + b);
  if (right) { out[(first + 1u) * dims.filters + f] = activate4(top[1] + b); }
  if (oy + 1u < dims.out_height) {
    out[(first + dims.out_width) * dims.filters + f] = activate4(bottom[0] + b);
    if (right) { out[(first + dims.out_width + 1u) * dims.filters + f] = activate4(bottom[1] + b); }
  }
#endif
}

#if ${vec4}
fn activate4(x: value) -> value { return vec4f(activate(x.x), activate(x.y), activate(x.z), activate(x.w)); }
#else
fn activate4(x: value) -> value { return activate(x); }
#endif
#endif
