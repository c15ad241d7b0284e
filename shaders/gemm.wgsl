// The GEMM core of the dense-layer products: C(M, N) = A(M, K) · B(K, N), for sizes that need not be
// multiples of anything. It is appended to one of shaders/matmul_forward.wgsl, matmul_backward_input.wgsl or
// matmul_backward_weight.wgsl, which say where A, B and C live: size_mnk() gives (M, N, K), k_range(z) the k
// that workgroup z sums over, A[m, k] = a_at(a_start(m) + a_offset(k, k_steps())), likewise B[k, n] with b_,
// and store_c(m, n, acc) (or, with pooled, store_window(w, n, the window's 4 rows)) writes C.
// Two ways to compute it: tiled through workgroup memory, or register-blocked.
// With sparse (register-blocked), a mask k_mask says, for each block of BLOCK rows of A, which k hold a nonzero
// A[m, k]; the others add nothing and are skipped. MNIST digits are 81% zeros: of a block of 8 digits, 54% of
// the pixels are zero in all 8 (47% of 16); of a block of 8 pixels, 61% are zero in a digit (42% of 16).
// With notesLive (register-blocked), the product also writes which rows of A hold a nonzero, BLOCK rows (a
// thread's block) to a word of `live`; with readsLive (register-blocked), it sums only over the k whose bit in `live` is set.

override TILE: u32 = 16u;  // tiled: the workgroup is TILE × TILE threads
override BLOCKS_X: u32 = 4u; // register-blocked: the workgroup is BLOCKS_X × BLOCKS_Y threads, a block each,
override BLOCKS_Y: u32 = 4u; // fewer where C is narrow or short (idle threads would waste SIMD lanes)

var<private> part: u32;    // the workgroup's z (matmul_backward_weight.wgsl's perSample: the sample it sums)

#if ${tiled}
// Tiled: each thread computes one element of C from TILE × TILE tiles of A and B staged in workgroup
// memory. Good where barriers are cheap (most discrete GPUs).
var<workgroup> tile_a: array<f32, TILE * TILE>; // (TILE rows of A, TILE columns of K)
var<workgroup> tile_b: array<f32, TILE * TILE>; // (TILE rows of K, TILE columns of B)

fn load_a(m: u32, k: u32) -> f32 { return a_at(a_start(m) + a_offset(k, k_steps())); }
fn load_b(k: u32, n: u32) -> f32 { return b_at(b_start(n) + b_offset(k, k_steps())); }

@compute @workgroup_size(TILE, TILE)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  part = wg.z;
  let size = size_mnk();
  let m = wg.y * TILE + lid.y;
  let n = wg.x * TILE + lid.x;
  let range = k_range(wg.z); // from the builtin, not `part`: the barriers below need the loop to be uniform
  var acc = 0.0;
  for (var k0 = range.x; k0 < range.y; k0 += TILE) {
    // Each thread stages one element of each tile; zeros pad the edges so the inner loop needs no checks.
    let ka = k0 + lid.x;
    var a = 0.0;
    if (m < size.x && ka < range.y) { a = load_a(m, ka); }
    tile_a[lid.y * TILE + lid.x] = a;
    let kb = k0 + lid.y;
    var b = 0.0;
    if (kb < range.y && n < size.y) { b = load_b(kb, n); }
    tile_b[lid.y * TILE + lid.x] = b;
    workgroupBarrier();
    for (var k = 0u; k < TILE; k++) {
      acc += tile_a[lid.y * TILE + k] * tile_b[k * TILE + lid.x];
    }
    workgroupBarrier();
  }
#if ${pooled}
  // A window's 4 rows are 4 threads of a column: the first of them stores it (TILE is a multiple of 4).
  tile_a[lid.y * TILE + lid.x] = acc;
  workgroupBarrier();
  if (lid.y % 4u == 0u && m < size.x && n < size.y) {
    let i = lid.y * TILE + lid.x;
    store_window(m / 4u, n, vec4f(tile_a[i], tile_a[i + TILE], tile_a[i + 2u * TILE], tile_a[i + 3u * TILE]));
  }
#else
  if (m < size.x && n < size.y) { store_c(m, n, acc); }
#endif
}
#else
// Register-blocked: each thread computes a BLOCK × BLOCK block of C straight from memory, with no workgroup
// memory and no barriers. Good where barriers are costly (SwiftShader and other CPU adapters): with 16 × 16
// blocks, 32 loads feed 256 multiply-adds. Measured there, GFLOP/s at 512³ (2 cores, noisy): 4 × 4 blocks 2.4,
// 8 × 8 4.4, 8 × 16 5.2, 16 × 16 6.1, 16 × 32 3.2 (registers run out). With small, the blocks are 8 × 8: our
// products are smaller and narrower than 512³ (24 or 32 filters, 128 units), and there SwiftShader trains
// 1.2-1.4× faster with them; Mesa's lavapipe compiles them 4× sooner (0.4 s instead of 1.7 s a kernel, at first
// use). The autotune (src/model/autotune.ts) picks one per adapter.

#if ${small}
const BLOCK = 8u;
// The thread's block of C: c0[i] = C[m0 + i, n0 .. n0 + 3]; c1 holds the next 4 columns.
var<private> c0: array<vec4f, 8>;
var<private> c1: array<vec4f, 8>;
#else
const BLOCK = 16u;
// The thread's block of C: c0[i] = C[m0 + i, n0 .. n0 + 3]; c1, c2, c3 hold the next columns, 4 at a time.
var<private> c0: array<vec4f, 16>;
var<private> c1: array<vec4f, 16>;
var<private> c2: array<vec4f, 16>;
var<private> c3: array<vec4f, 16>;
#endif
#if ${notesLive}
var<private> seen: array<vec4f, BLOCK / 4u>; // seen[g][j]: max |A[m0 + 4g + j, k]| over the k so far
#endif

// Adds A[m0 .. m0 + BLOCK - 1, k] ⊗ B[k, n0 .. n0 + BLOCK - 1] to the block. ia[i] holds the a_start of rows
// m0 + 4i .. m0 + 4i + 3 and ib[j] the b_start of columns n0 + 4j .. n0 + 4j + 3, computed once by main: each
// load here is one add away (SwiftShader's compiler does not hoist loop-invariant index math).
#if ${small}
fn accumulate(k: u32, ia: array<vec4u, 2>, ib: array<vec4u, 2>, step_k: vec2u) {
  let ka = a_offset(k, step_k);
  let kb = b_offset(k, step_k);
  let a0 = a4(ia[0] + ka); // A[m0 .. m0 + 3, k]
  let a1 = a4(ia[1] + ka);
  let b0 = b4(ib[0] + kb); // B[k, n0 .. n0 + 3]
  let b1 = b4(ib[1] + kb);
#if ${notesLive}
  seen[0] = max(seen[0], abs(a0));
  seen[1] = max(seen[1], abs(a1));
#endif
  c0[0] += a0.x * b0; c1[0] += a0.x * b1;
  c0[1] += a0.y * b0; c1[1] += a0.y * b1;
  c0[2] += a0.z * b0; c1[2] += a0.z * b1;
  c0[3] += a0.w * b0; c1[3] += a0.w * b1;
  c0[4] += a1.x * b0; c1[4] += a1.x * b1;
  c0[5] += a1.y * b0; c1[5] += a1.y * b1;
  c0[6] += a1.z * b0; c1[6] += a1.z * b1;
  c0[7] += a1.w * b0; c1[7] += a1.w * b1;
}

// C[m0 + i, n0 + 4g .. n0 + 4g + 3]
fn c_row(g: u32, i: u32) -> vec4f {
  return select(c0[i], c1[i], g == 1u);
}

fn starts_a(m0: u32, m: u32) -> array<vec4u, 2> {
  return array(a_starts(clamped4(m0, m)), a_starts(clamped4(m0 + 4u, m)));
}
fn starts_b(n0: u32, n: u32) -> array<vec4u, 2> {
  return array(b_starts(clamped4(n0, n)), b_starts(clamped4(n0 + 4u, n)));
}
#else
fn accumulate(k: u32, ia: array<vec4u, 4>, ib: array<vec4u, 4>, step_k: vec2u) {
  let ka = a_offset(k, step_k);
  let kb = b_offset(k, step_k);
  let a0 = a4(ia[0] + ka); // A[m0 .. m0 + 3, k]
  let a1 = a4(ia[1] + ka);
  let a2 = a4(ia[2] + ka);
  let a3 = a4(ia[3] + ka);
  let b0 = b4(ib[0] + kb); // B[k, n0 .. n0 + 3]
  let b1 = b4(ib[1] + kb);
  let b2 = b4(ib[2] + kb);
  let b3 = b4(ib[3] + kb);
#if ${notesLive}
  seen[0] = max(seen[0], abs(a0));
  seen[1] = max(seen[1], abs(a1));
  seen[2] = max(seen[2], abs(a2));
  seen[3] = max(seen[3], abs(a3));
#endif
  c0[0] += a0.x * b0; c1[0] += a0.x * b1; c2[0] += a0.x * b2; c3[0] += a0.x * b3;
  c0[1] += a0.y * b0; c1[1] += a0.y * b1; c2[1] += a0.y * b2; c3[1] += a0.y * b3;
  c0[2] += a0.z * b0; c1[2] += a0.z * b1; c2[2] += a0.z * b2; c3[2] += a0.z * b3;
  c0[3] += a0.w * b0; c1[3] += a0.w * b1; c2[3] += a0.w * b2; c3[3] += a0.w * b3;
  c0[4] += a1.x * b0; c1[4] += a1.x * b1; c2[4] += a1.x * b2; c3[4] += a1.x * b3;
  c0[5] += a1.y * b0; c1[5] += a1.y * b1; c2[5] += a1.y * b2; c3[5] += a1.y * b3;
  c0[6] += a1.z * b0; c1[6] += a1.z * b1; c2[6] += a1.z * b2; c3[6] += a1.z * b3;
  c0[7] += a1.w * b0; c1[7] += a1.w * b1; c2[7] += a1.w * b2; c3[7] += a1.w * b3;
  c0[8] += a2.x * b0; c1[8] += a2.x * b1; c2[8] += a2.x * b2; c3[8] += a2.x * b3;
  c0[9] += a2.y * b0; c1[9] += a2.y * b1; c2[9] += a2.y * b2; c3[9] += a2.y * b3;
  c0[10] += a2.z * b0; c1[10] += a2.z * b1; c2[10] += a2.z * b2; c3[10] += a2.z * b3;
  c0[11] += a2.w * b0; c1[11] += a2.w * b1; c2[11] += a2.w * b2; c3[11] += a2.w * b3;
  c0[12] += a3.x * b0; c1[12] += a3.x * b1; c2[12] += a3.x * b2; c3[12] += a3.x * b3;
  c0[13] += a3.y * b0; c1[13] += a3.y * b1; c2[13] += a3.y * b2; c3[13] += a3.y * b3;
  c0[14] += a3.z * b0; c1[14] += a3.z * b1; c2[14] += a3.z * b2; c3[14] += a3.z * b3;
  c0[15] += a3.w * b0; c1[15] += a3.w * b1; c2[15] += a3.w * b2; c3[15] += a3.w * b3;
}

// C[m0 + i, n0 + 4g .. n0 + 4g + 3]
fn c_row(g: u32, i: u32) -> vec4f {
  switch g {
    case 0u: { return c0[i]; }
    case 1u: { return c1[i]; }
    case 2u: { return c2[i]; }
    default: { return c3[i]; }
  }
}

fn starts_a(m0: u32, m: u32) -> array<vec4u, 4> {
  return array(a_starts(clamped4(m0, m)), a_starts(clamped4(m0 + 4u, m)), a_starts(clamped4(m0 + 8u, m)), a_starts(clamped4(m0 + 12u, m)));
}
fn starts_b(n0: u32, n: u32) -> array<vec4u, 4> {
  return array(b_starts(clamped4(n0, n)), b_starts(clamped4(n0 + 4u, n)), b_starts(clamped4(n0 + 8u, n)), b_starts(clamped4(n0 + 12u, n)));
}
#endif

@compute @workgroup_size(BLOCKS_X, BLOCKS_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  part = gid.z;
  let size = size_mnk();
  let m0 = gid.y * BLOCK;
  let n0 = gid.x * BLOCK;
  if (m0 >= size.x || n0 >= size.y) { return; }
  let step_k = k_steps();
  // Edge blocks read clamped rows and columns again; those results are never stored.
  let ia = starts_a(m0, size.x);
  let ib = starts_b(n0, size.y);
#if ${sparse}
  // Bit j of word w of the block's mask is set where some A[m0 .. m0 + BLOCK - 1, 32w + j] is nonzero.
  let words = (size.z + 31u) / 32u;
  for (var w = 0u; w < words; w++) {
    var bits = k_mask[m0 / BLOCK * words + w];
    while (bits != 0u) {
      accumulate(32u * w + countTrailingZeros(bits), ia, ib, step_k);
      bits &= bits - 1u; // clears the lowest set bit
    }
  }
#elif ${notesLive}
  let range = k_range(gid.z);
  for (var k = range.x; k < range.y; k++) { accumulate(k, ia, ib, step_k); }
  if (gid.x == 0u) { live[m0 / BLOCK] = pack_seen(); } // every column block saw the same rows
#elif ${readsLive}
  // Only the k whose row of A (a patch, for matmul_backward_weight.wgsl) holds a nonzero, BLOCK to a word of `live`.
  let range = k_range(gid.z);
  for (var word = range.x / BLOCK; word * BLOCK < range.y; word++) {
    var bits = live[word] & in_range(word * BLOCK, range);
    while (bits != 0u) {
      accumulate(BLOCK * word + countTrailingZeros(bits), ia, ib, step_k);
      bits &= bits - 1u; // clears the lowest set bit
    }
  }
#else
  let range = k_range(gid.z);
  for (var k = range.x; k < range.y; k++) { accumulate(k, ia, ib, step_k); }
#endif
#if ${pooled}
  // The block's rows are BLOCK / 4 windows (rows come 4 by 4, and m0 is a multiple of BLOCK).
  for (var w = 0u; w < BLOCK / 4u; w++) {
    let i = 4u * w;
    if (m0 + i >= size.x) { break; }
    for (var g = 0u; g < BLOCK / 4u; g++) {
      let rows = array(c_row(g, i), c_row(g, i + 1u), c_row(g, i + 2u), c_row(g, i + 3u));
      for (var j = 0u; j < 4u; j++) {
        if (n0 + 4u * g + j < size.y) { store_window(m0 / 4u + w, n0 + 4u * g + j, vec4f(rows[0][j], rows[1][j], rows[2][j], rows[3][j])); }
      }
    }
  }
#else
  for (var i = 0u; i < BLOCK; i++) {
    let m = m0 + i;
    if (m >= size.x) { break; }
    for (var g = 0u; g < BLOCK / 4u; g++) {
      let row = c_row(g, i);
      for (var j = 0u; j < 4u; j++) {
        if (n0 + 4u * g + j < size.y) { store_c(m, n0 + 4u * g + j, row[j]); }
      }
    }
  }
#endif
}

#if ${notesLive}
// seen as BLOCK bits, bit 4g + j for row m0 + 4g + j.
fn pack_seen() -> u32 {
  var bits = 0u;
  for (var g = 0u; g < BLOCK / 4u; g++) {
    bits |= dot(select(vec4u(0u), vec4u(1u, 2u, 4u, 8u), seen[g] != vec4f(0.0)), vec4u(1u)) << (4u * g);
  }
  return bits;
}
#endif
#if ${readsLive}
// Bits i of the BLOCK for rows first + i that lie in [range.x, range.y).
fn in_range(first: u32, range: vec2u) -> u32 {
  let lo = max(range.x, first) - first;
  let hi = min(range.y, first + BLOCK) - first;
  return select(0u, ((1u << hi) - 1u) & ~((1u << lo) - 1u), hi > lo);
}
#endif

// Indices first .. first + 3, each clamped below `count`.
fn clamped4(first: u32, count: u32) -> vec4u {
  return min(vec4u(first) + vec4u(0u, 1u, 2u, 3u), vec4u(count - 1u));
}

fn a_starts(m: vec4u) -> vec4u { return vec4u(a_start(m.x), a_start(m.y), a_start(m.z), a_start(m.w)); }
fn b_starts(n: vec4u) -> vec4u { return vec4u(b_start(n.x), b_start(n.y), b_start(n.z), b_start(n.w)); }
fn a4(i: vec4u) -> vec4f { return vec4f(a_at(i.x), a_at(i.y), a_at(i.z), a_at(i.w)); }
fn b4(i: vec4u) -> vec4f { return vec4f(b_at(i.x), b_at(i.y), b_at(i.z), b_at(i.w)); }
#endif
