
// ---- shaders/winograd_tile.wgsl: appended to the tile passes of winograd.wgsl and winograd_grad.wgsl ----
// F(2 × 2, 3 × 3)'s two fixed transforms of one tile (Bᵀ and A as winograd.wgsl writes them), for the passes
// that write the transformed tiles v (writes_tiles) and for those that read the products p (reads_products).
// Each pass declares v or p, and `value` (f32, or vec4f for 4 channels side by side). Every index is a
// constant: SwiftShader keeps arrays indexed at run time in memory.

#if ${writes_tiles}
// v = Bᵀ d B for the 4 × 4 tile d given row by row, into v[ξ][at] for ξ = 0 .. 15, a plane apart: each row
// times B, then Bᵀ down the columns.
fn put_tile(at: u32, plane: u32, d0: array<value, 4>, d1: array<value, 4>, d2: array<value, 4>, d3: array<value, 4>) {
  let e0 = times_b(d0);
  let e1 = times_b(d1);
  let e2 = times_b(d2);
  let e3 = times_b(d3);
  bt_column(at, plane, 0u, e0[0], e1[0], e2[0], e3[0]);
  bt_column(at, plane, 1u, e0[1], e1[1], e2[1], e3[1]);
  bt_column(at, plane, 2u, e0[2], e1[2], e2[2], e3[2]);
  bt_column(at, plane, 3u, e0[3], e1[3], e2[3], e3[3]);
}

// A row of d times B.
fn times_b(d: array<value, 4>) -> array<value, 4> {
  return array<value, 4>(d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]);
}

// Bᵀ times column j of d B (its rows e0 .. e3): v[4i + j] for i = 0 .. 3.
fn bt_column(at: u32, plane: u32, j: u32, e0: value, e1: value, e2: value, e3: value) {
  v[j * plane + at] = e0 - e2;
  v[(4u + j) * plane + at] = e1 + e2;
  v[(8u + j) * plane + at] = e2 - e1;
  v[(12u + j) * plane + at] = e1 - e3;
}
#endif

#if ${reads_products}
// The 2 × 2 tile Aᵀ p A, row by row, of the products p[ξ][at] for ξ = 0 .. 15, a plane apart: each of p's rows
// times A, then Aᵀ down the columns.
fn output_tile(at: u32, plane: u32) -> array<value, 4> {
  let p0 = times_a(at, plane);
  let p1 = times_a(at + 4u * plane, plane);
  let p2 = times_a(at + 8u * plane, plane);
  let p3 = times_a(at + 12u * plane, plane);
  return array<value, 4>(p0[0] + p1[0] + p2[0], p0[1] + p1[1] + p2[1], p1[0] - p2[0] - p3[0], p1[1] - p2[1] - p3[1]);
}

// Row i of p (its 4 values from `first`, a plane apart) times A.
fn times_a(first: u32, plane: u32) -> array<value, 2> {
  let q0 = p[first];
  let q1 = p[first + plane];
  let q2 = p[first + 2u * plane];
  let q3 = p[first + 3u * plane];
  return array<value, 2>(q0 + q1 + q2, q1 - q2 - q3);
}
#endif
