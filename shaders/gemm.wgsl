// The GEMM core of the dense-layer products: C(M, N) = A(M, K) · B(K, N), for sizes that need not be
// multiples of anything. It is appended to one of shaders/matmul_forward.wgsl, matmul_backward_input.wgsl or
// matmul_backward_weight.wgsl, which say where A, B and C live: size_mnk() gives (M, N, K), k_range(z) the k
// that workgroup z sums over, A[m, k] = a_at(a_start(m) + a_offset(k, k_steps())), likewise B[k, n] with b_,
// and store_c(m, n, acc) (or, with pooled, store_window(w, n, the window's max, which row it was)) writes C.
// Two ways to compute it: tiled through workgroup memory, or register-blocked.
// With sparse (register-blocked), a mask k_mask says, for each block of BLOCK rows of A, which k hold a nonzero
// A[m, k]; the others add nothing and are skipped. MNIST digits are 81% zeros: of a block of 8 digits, 54% of
// the pixels are zero in all 8 (47% of 16); of a block of 8 pixels, 61% are zero in a digit (42% of 16).
// With texels (register-blocked), B comes 4 columns to a texel from a texture: the file gives b_texel(k, n) for
// B[k, n .. n + 3] and b_start(n) = n. With texelsA, likewise A 4 rows to a texel: a_texel(k, m) for
// A[m .. m + 3, k] and a_start(m) = m.
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
    let win = window_max(vec4f(tile_a[i]), vec4f(tile_a[i + TILE]), vec4f(tile_a[i + 2u * TILE]), vec4f(tile_a[i + 3u * TILE]));
    store_window(m / 4u, n, win.best.x, win.at.x);
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
  let a0 = a_quad(k, ka, ia[0]); // A[m0 .. m0 + 3, k]
  let a1 = a_quad(k, ka, ia[1]);
  let b0 = b_quad(k, kb, ib[0]); // B[k, n0 .. n0 + 3]
  let b1 = b_quad(k, kb, ib[1]);
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

// Stores the block. Every index into c0 and c1 is a constant: an array indexed at run time anywhere stays in
// memory throughout on SwiftShader, where a loop over i and g made the stores a quarter of the ConvNet's first
// convolution's forward (k = 25 taps).
fn store_block(m0: u32, n0: u32, size: vec3u) {
#if ${pooled}
  // The block's rows are 2 windows (rows come 4 by 4, and m0 is a multiple of BLOCK).
  store_windows(m0 / 4u, n0, size, c0[0], c0[1], c0[2], c0[3]);
  store_windows(m0 / 4u, n0 + 4u, size, c1[0], c1[1], c1[2], c1[3]);
  if (m0 + 4u < size.x) {
    store_windows(m0 / 4u + 1u, n0, size, c0[4], c0[5], c0[6], c0[7]);
    store_windows(m0 / 4u + 1u, n0 + 4u, size, c1[4], c1[5], c1[6], c1[7]);
  }
#else
  store_row(m0, n0, size, c0[0], c1[0]);
  store_row(m0 + 1u, n0, size, c0[1], c1[1]);
  store_row(m0 + 2u, n0, size, c0[2], c1[2]);
  store_row(m0 + 3u, n0, size, c0[3], c1[3]);
  store_row(m0 + 4u, n0, size, c0[4], c1[4]);
  store_row(m0 + 5u, n0, size, c0[5], c1[5]);
  store_row(m0 + 6u, n0, size, c0[6], c1[6]);
  store_row(m0 + 7u, n0, size, c0[7], c1[7]);
#endif
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
  let a0 = a_quad(k, ka, ia[0]); // A[m0 .. m0 + 3, k]
  let a1 = a_quad(k, ka, ia[1]);
  let a2 = a_quad(k, ka, ia[2]);
  let a3 = a_quad(k, ka, ia[3]);
  let b0 = b_quad(k, kb, ib[0]); // B[k, n0 .. n0 + 3]
  let b1 = b_quad(k, kb, ib[1]);
  let b2 = b_quad(k, kb, ib[2]);
  let b3 = b_quad(k, kb, ib[3]);
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

// Stores the block, every index into c0 .. c3 a constant (as in the 8 × 8 block's).
fn store_block(m0: u32, n0: u32, size: vec3u) {
#if ${pooled}
  // The block's rows are 4 windows (rows come 4 by 4, and m0 is a multiple of BLOCK).
  store_windows(m0 / 4u, n0, size, c0[0], c0[1], c0[2], c0[3]);
  store_windows(m0 / 4u, n0 + 4u, size, c1[0], c1[1], c1[2], c1[3]);
  store_windows(m0 / 4u, n0 + 8u, size, c2[0], c2[1], c2[2], c2[3]);
  store_windows(m0 / 4u, n0 + 12u, size, c3[0], c3[1], c3[2], c3[3]);
  if (m0 + 4u < size.x) {
    store_windows(m0 / 4u + 1u, n0, size, c0[4], c0[5], c0[6], c0[7]);
    store_windows(m0 / 4u + 1u, n0 + 4u, size, c1[4], c1[5], c1[6], c1[7]);
    store_windows(m0 / 4u + 1u, n0 + 8u, size, c2[4], c2[5], c2[6], c2[7]);
    store_windows(m0 / 4u + 1u, n0 + 12u, size, c3[4], c3[5], c3[6], c3[7]);
  }
  if (m0 + 8u < size.x) {
    store_windows(m0 / 4u + 2u, n0, size, c0[8], c0[9], c0[10], c0[11]);
    store_windows(m0 / 4u + 2u, n0 + 4u, size, c1[8], c1[9], c1[10], c1[11]);
    store_windows(m0 / 4u + 2u, n0 + 8u, size, c2[8], c2[9], c2[10], c2[11]);
    store_windows(m0 / 4u + 2u, n0 + 12u, size, c3[8], c3[9], c3[10], c3[11]);
  }
  if (m0 + 12u < size.x) {
    store_windows(m0 / 4u + 3u, n0, size, c0[12], c0[13], c0[14], c0[15]);
    store_windows(m0 / 4u + 3u, n0 + 4u, size, c1[12], c1[13], c1[14], c1[15]);
    store_windows(m0 / 4u + 3u, n0 + 8u, size, c2[12], c2[13], c2[14], c2[15]);
    store_windows(m0 / 4u + 3u, n0 + 12u, size, c3[12], c3[13], c3[14], c3[15]);
  }
#else
  store_row(m0, n0, size, c0[0], c1[0]); store_row(m0, n0 + 8u, size, c2[0], c3[0]);
  store_row(m0 + 1u, n0, size, c0[1], c1[1]); store_row(m0 + 1u, n0 + 8u, size, c2[1], c3[1]);
  store_row(m0 + 2u, n0, size, c0[2], c1[2]); store_row(m0 + 2u, n0 + 8u, size, c2[2], c3[2]);
  store_row(m0 + 3u, n0, size, c0[3], c1[3]); store_row(m0 + 3u, n0 + 8u, size, c2[3], c3[3]);
  store_row(m0 + 4u, n0, size, c0[4], c1[4]); store_row(m0 + 4u, n0 + 8u, size, c2[4], c3[4]);
  store_row(m0 + 5u, n0, size, c0[5], c1[5]); store_row(m0 + 5u, n0 + 8u, size, c2[5], c3[5]);
  store_row(m0 + 6u, n0, size, c0[6], c1[6]); store_row(m0 + 6u, n0 + 8u, size, c2[6], c3[6]);
  store_row(m0 + 7u, n0, size, c0[7], c1[7]); store_row(m0 + 7u, n0 + 8u, size, c2[7], c3[7]);
  store_row(m0 + 8u, n0, size, c0[8], c1[8]); store_row(m0 + 8u, n0 + 8u, size, c2[8], c3[8]);
  store_row(m0 + 9u, n0, size, c0[9], c1[9]); store_row(m0 + 9u, n0 + 8u, size, c2[9], c3[9]);
  store_row(m0 + 10u, n0, size, c0[10], c1[10]); store_row(m0 + 10u, n0 + 8u, size, c2[10], c3[10]);
  store_row(m0 + 11u, n0, size, c0[11], c1[11]); store_row(m0 + 11u, n0 + 8u, size, c2[11], c3[11]);
  store_row(m0 + 12u, n0, size, c0[12], c1[12]); store_row(m0 + 12u, n0 + 8u, size, c2[12], c3[12]);
  store_row(m0 + 13u, n0, size, c0[13], c1[13]); store_row(m0 + 13u, n0 + 8u, size, c2[13], c3[13]);
  store_row(m0 + 14u, n0, size, c0[14], c1[14]); store_row(m0 + 14u, n0 + 8u, size, c2[14], c3[14]);
  store_row(m0 + 15u, n0, size, c0[15], c1[15]); store_row(m0 + 15u, n0 + 8u, size, c2[15], c3[15]);
#endif
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
  store_block(m0, n0, size);
}

#if ${pooled}
// Window w's rows r0 .. r3 at columns n .. n + 3 (a lane a column): each column's max and which row it was.
fn store_windows(w: u32, n: u32, size: vec3u, r0: vec4f, r1: vec4f, r2: vec4f, r3: vec4f) {
  let win = window_max(r0, r1, r2, r3);
  if (n < size.y) { store_window(w, n, win.best.x, win.at.x); }
  if (n + 1u < size.y) { store_window(w, n + 1u, win.best.y, win.at.y); }
  if (n + 2u < size.y) { store_window(w, n + 2u, win.best.z, win.at.z); }
  if (n + 3u < size.y) { store_window(w, n + 3u, win.best.w, win.at.w); }
}
#else
// C[m, n .. n + 7] = q0, q1, where inside C
fn store_row(m: u32, n: u32, size: vec3u, q0: vec4f, q1: vec4f) {
  if (m >= size.x) { return; }
  store_quad(m, n, size, q0);
  store_quad(m, n + 4u, size, q1);
}
fn store_quad(m: u32, n: u32, size: vec3u, q: vec4f) {
  if (n < size.y) { store_c(m, n, q.x); }
  if (n + 1u < size.y) { store_c(m, n + 1u, q.y); }
  if (n + 2u < size.y) { store_c(m, n + 2u, q.z); }
  if (n + 3u < size.y) { store_c(m, n + 3u, q.w); }
}
#endif

#if ${notesLive}
// seen as BLOCK bits, bit 4g + j for row m0 + 4g + j (constant indices, as in store_block).
fn pack_seen() -> u32 {
#if ${small}
  return nonzero4(seen[0]) | (nonzero4(seen[1]) << 4u);
#else
  return nonzero4(seen[0]) | (nonzero4(seen[1]) << 4u) | (nonzero4(seen[2]) << 8u) | (nonzero4(seen[3]) << 12u);
#endif
}
// Bit j set where v[j] is nonzero.
fn nonzero4(v: vec4f) -> u32 {
  return dot(select(vec4u(0u), vec4u(1u, 2u, 4u, 8u), v != vec4f(0.0)), vec4u(1u));
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
#if ${texelsA}
// A[m .. m + 3, k] for the rows whose a_start is `starts` (m a multiple of 4): one texel of the file's texture.
fn a_quad(k: u32, ka: u32, starts: vec4u) -> vec4f { return a_texel(k, starts.x); }
#else
fn a_quad(k: u32, ka: u32, starts: vec4u) -> vec4f { return a4(starts + ka); }
fn a4(i: vec4u) -> vec4f { return vec4f(a_at(i.x), a_at(i.y), a_at(i.z), a_at(i.w)); }
#endif
#if ${texels}
// B[k, n .. n + 3] for the columns whose b_start is `starts` (n a multiple of 4): one texel of the file's texture.
fn b_quad(k: u32, kb: u32, starts: vec4u) -> vec4f { return b_texel(k, starts.x); }
#else
fn b_quad(k: u32, kb: u32, starts: vec4u) -> vec4f { return b4(starts + kb); }
fn b4(i: vec4u) -> vec4f { return vec4f(b_at(i.x), b_at(i.y), b_at(i.z), b_at(i.w)); }
#endif
#endif

#if ${pooled}
// The max of each lane over the 4 rows of a 2 × 2 window (r0 .. r3 in row-major order; lanes are columns of C),
// and which row it was: the first, if several are equal.
struct Winners {
  best: vec4f,
  at: vec4u,
}
fn window_max(r0: vec4f, r1: vec4f, r2: vec4f, r3: vec4f) -> Winners {
  var best = r0;
  var at = vec4u(0u);
  let in1 = r1 > best;
  best = select(best, r1, in1);
  at = select(at, vec4u(1u), in1);
  let in2 = r2 > best;
  best = select(best, r2, in2);
  at = select(at, vec4u(2u), in2);
  let in3 = r3 > best;
  best = select(best, r3, in3);
  at = select(at, vec4u(3u), in3);
  return Winners(best, at);
}
#endif
