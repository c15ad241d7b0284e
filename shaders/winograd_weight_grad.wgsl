// The weight gradient of a 3 × 3 convolution of stride 1 and the 2 × 2 max pool fused after it, by Winograd's
// F(2 × 2, 3 × 3), as shaders/winograd.wgsl computes the forward (pooled: each tile is a window). The forward is
//   out tile = Aᵀ [ Σ_c u ⊙ v ] A,   u = G g Gᵀ,   v = Bᵀ d B
// so, with dY a tile's 2 × 2 output gradient (dout's 4 rows of that window, row by row) and the sum over every
// tile of every row,
//   dweight[f, c] = Gᵀ [ Σ_tiles (A dY Aᵀ) ⊙ v ] G
//   A = | 1  0 |     Gᵀ = | 1  1/2  1/2  0 |
//       | 1  1 |          | 0  1/2 -1/2  0 |
//       | 1 -1 |          | 0  1/2  1/2  1 |
//       | 0 -1 |
// 16 multiplies a tile per (channel, filter) where the per-sample product of patches takes 36. Two passes here,
// around a product (src/ops/winograd.ts):
//   tiles    q (16, M, F)        q[ξ] = (A dY Aᵀ)[ξ] for every (tile, filter), M = rows · tiles
//   (product parts (S, 16, C, F): part s of v[ξ]ᵀ (C, M) · q[ξ] (M, F), summed over its share of the M, with v
//   the forward's transformed input tiles (16, M, C): shaders/winograd_product.wgsl's weightGrad)
//   weights  dweight (F, C, 3, 3)  Gᵀ (Σ_s parts[s]) G for every (channel, filter)

struct Dims {
  filters: u32,    // F; with vec4 (tiles), counted in groups of 4
  channels: u32,   // C
  tiles: u32,      // per sample: the pooled windows
  splits: u32,     // S: the product's parts
}

override WORKGROUP: u32 = 64u;

// With vec4 (tiles: a multiple of 4 filters), a thread transforms 4 filters side by side.
#if ${vec4}
alias value = vec4f;
#else
alias value = f32;
#endif

@group(1) @binding(0) var<uniform> dims: Dims;
#if ${tiles}
@group(1) @binding(1) var<storage, read> dout: array<value>;     // (rows · tiles · 4, F): the forward product's rows, window by window
@group(1) @binding(2) var<storage, read_write> q: array<value>;  // (16, rows · tiles, F)
#else
@group(1) @binding(1) var<storage, read> parts: array<f32>;      // (S, 16, C, F)
@group(1) @binding(2) var<storage, read_write> dweight: array<f32>; // (F, C, 3, 3)
#endif

#if ${tiles}
// x: tile t · F + filter f, y: row r. A window's rows are its positions (0, 0), (0, 1), (1, 0), (1, 1): dY's
// top row [a, b] and bottom row [c, d]. A dY Aᵀ has the rows top, top + bottom, top - bottom, -bottom, each
// row [x, y] times Aᵀ: [x, x + y, x - y, -y].
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  let t = gid.x / dims.filters;
  let f = gid.x % dims.filters;
  if (t >= dims.tiles || r >= step.rows) { return; }
  let at = (r * dims.tiles + t) * dims.filters + f;
  let first = 4u * (r * dims.tiles + t) * dims.filters + f; // the window's first row of dout
  let a = dout[first];
  let b = dout[first + dims.filters];
  let c = dout[first + 2u * dims.filters];
  let d = dout[first + 3u * dims.filters];
  let plane = step.rows * dims.tiles * dims.filters; // q[ξ] apart
  put_row(at, plane, 0u, a, b);
  put_row(at, plane, 1u, a + c, b + d);
  put_row(at, plane, 2u, a - c, b - d);
  put_row(at, plane, 3u, -c, -d);
}

// Row i of A dY Aᵀ, from row i of A dY, [x, y].
fn put_row(at: u32, plane: u32, i: u32, x: value, y: value) {
  q[4u * i * plane + at] = x;
  q[(4u * i + 1u) * plane + at] = x + y;
  q[(4u * i + 2u) * plane + at] = x - y;
  q[(4u * i + 3u) * plane + at] = -y;
}
#else
// x: c · F + f. The parts' sum du (4 × 4, row i in rows[i]), then Gᵀ du, then its rows times G.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x / dims.filters;
  let f = gid.x % dims.filters;
  if (c >= dims.channels) { return; }
  let plane = dims.channels * dims.filters; // du[ξ] apart
  var du0 = vec4f(0.0);
  var du1 = vec4f(0.0);
  var du2 = vec4f(0.0);
  var du3 = vec4f(0.0);
  for (var s = 0u; s < dims.splits; s++) {
    let at = 16u * s * plane + gid.x;
    du0 += part_row(at, plane, 0u);
    du1 += part_row(at, plane, 1u);
    du2 += part_row(at, plane, 2u);
    du3 += part_row(at, plane, 3u);
  }
  let first = (f * dims.channels + c) * 9u;
  put_weights(first, du0 + 0.5 * (du1 + du2));
  put_weights(first + 3u, 0.5 * (du1 - du2));
  put_weights(first + 6u, 0.5 * (du1 + du2) + du3);
}

// Row i of a part's du: du[4i + j] for j = 0 .. 3, the part's first value at `at`.
fn part_row(at: u32, plane: u32, i: u32) -> vec4f {
  return vec4f(parts[at + 4u * i * plane], parts[at + (4u * i + 1u) * plane], parts[at + (4u * i + 2u) * plane], parts[at + (4u * i + 3u) * plane]);
}

// A row of Gᵀ du times G: 3 weights from `first`.
fn put_weights(first: u32, h: vec4f) {
  dweight[first] = h.x + 0.5 * (h.y + h.z);
  dweight[first + 1u] = 0.5 * (h.y - h.z);
  dweight[first + 2u] = 0.5 * (h.y + h.z) + h.w;
}
#endif
