// A convolution of one input channel by a 5 × 5 kernel (stride 1, no padding) and the 2 × 2 max pool after it,
// computed directly: out[window, f] = act(bias[f] + max over the window's 4 positions of Σ weight[f, ky, kx] ·
// inp[y + ky, x + kx]), with argmax, which of the 4 won (row-major; the first, if several are equal), as
// shaders/gemm.wgsl's pooled epilogue writes them.
// A thread takes two pairs of windows, each pair 2 × 4 output positions whose 8 patches lie in 6 rows × 8 columns
// of the input. It reads those 2 · 48 values once and keeps them in registers, then runs through every filter,
// reading its 25 weights once for both pairs: 25 reads per 16 · 25 multiply-adds of a filter, where the patches'
// product reads 16 per 64.
// With live, it also notes which of the product's rows (a window's 4 positions, window by window) have a nonzero
// in their patch, a register block of BLOCK rows to a word (8: a pair's, 16: the thread's), for the per-sample
// weight gradient (shaders/matmul_backward_weight.wgsl) to skip the others.
// The windows across must be even in number, so that a pair never straddles two rows of windows.

struct Dims {
  height: u32,     // the input's, one channel: (rows, height, width) in any layout
  width: u32,
  windows_h: u32,  // floor(out / 2) each way, out = in - 4; windows_w is even
  windows_w: u32,
  filters: u32,
}

override WORKGROUP: u32 = 16u;
override BLOCK: u32 = 8u; // rows per word of live: 8 or 16

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> inp: array<f32>;            // (rows, height, width)
@group(1) @binding(2) var<storage, read> weight: array<f32>;         // (F, 1, 5, 5)
@group(1) @binding(3) var<storage, read> bias: array<f32>;           // (F)
@group(1) @binding(4) var<storage, read_write> out: array<f32>;      // (rows, windows, F)
@group(1) @binding(5) var<storage, read_write> argmax: array<u32>;   // (rows, windows, F)
#if ${live}
@group(1) @binding(6) var<storage, read_write> live: array<u32>;     // (rows · windows · 4 / BLOCK): bit i of word b: row BLOCK·b + i's patch has a nonzero
#endif

// 8 input values side by side: a row of a pair's patches.
struct Row {
  lo: vec4f,
  hi: vec4f,
}

// The 6 × 8 input values under a pair of windows.
struct Patch {
  p0: Row,
  p1: Row,
  p2: Row,
  p3: Row,
  p4: Row,
  p5: Row,
}

// A filter's 25 weights, row by row.
struct Kernel {
  w0: Weights,
  w1: Weights,
  w2: Weights,
  w3: Weights,
  w4: Weights,
}

// x: two pairs of windows, 2·x and 2·x + 1, counted over the whole batch
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let per_sample = dims.windows_h * dims.windows_w / 2u;
  let pairs = step.rows * per_sample;
  let first = 2u * gid.x;
  if (first >= pairs) { return; }
  let second = min(first + 1u, pairs - 1u); // the first again where it is the batch's last pair: written twice, the same
  let pair_a = pair_at(first);
  let pair_b = pair_at(second);
  let a = patch_at(pair_a);
  let b = patch_at(pair_b);
  let window_a = window_at(pair_a);
  let window_b = window_at(pair_b);
  for (var f = 0u; f < dims.filters; f++) {
    let at = f * 25u; // weight[f, 0, 0, 0]
    let k = Kernel(weight_row(at), weight_row(at + 5u), weight_row(at + 10u), weight_row(at + 15u), weight_row(at + 20u));
    pool(k, bias[f], a, window_a, f);
    pool(k, bias[f], b, window_b, f);
  }
#if ${live}
  let bits_a = live_rows(a);
  if (BLOCK == 16u) {
    live[gid.x] = bits_a | select(0u, live_rows(b) << 8u, second > first);
  } else {
    live[first] = bits_a;
    if (second > first) { live[second] = live_rows(b); }
  }
#endif
}

// Where a pair of windows lies: its sample, its window row, and its left window's column.
struct Pair {
  r: u32,
  wy: u32,
  wx: u32,
}

// Pair i of the batch, counted sample by sample, row by row.
fn pair_at(i: u32) -> Pair {
  let across = dims.windows_w / 2u; // pairs in a row of windows
  let per_sample = dims.windows_h * across;
  let q = i % per_sample;
  return Pair(i / per_sample, q / across, 2u * (q % across));
}

// The input values under pair p's two windows.
fn patch_at(p: Pair) -> Patch {
  let first = (p.r * dims.height + 2u * p.wy) * dims.width + 2u * p.wx; // inp[r, 2·wy, 2·wx]
  return Patch(load_row(first), load_row(first + dims.width), load_row(first + 2u * dims.width), load_row(first + 3u * dims.width),
    load_row(first + 4u * dims.width), load_row(first + 5u * dims.width));
}

// Pair p's left window, in out.
fn window_at(p: Pair) -> u32 {
  return (p.r * dims.windows_h + p.wy) * dims.windows_w + p.wx;
}

// Filter f's two windows over patch p (the left one at `window`): each the max of its 4 positions, biased and activated, with which won.
fn pool(k: Kernel, b: f32, p: Patch, window: u32, f: u32) {
  // the sums at the patch's output rows 0 (top) and 1 (bottom), columns 0 .. 3
  let top = conv_row(k.w0, p.p0) + conv_row(k.w1, p.p1) + conv_row(k.w2, p.p2) + conv_row(k.w3, p.p3) + conv_row(k.w4, p.p4);
  let bottom = conv_row(k.w0, p.p1) + conv_row(k.w1, p.p2) + conv_row(k.w2, p.p3) + conv_row(k.w3, p.p4) + conv_row(k.w4, p.p5);
  // the left window in .x, the right one in .y; its 4 positions in row-major order
  var best = top.xz;
  var which = vec2u(0u);
  let right = top.yw > best;
  best = select(best, top.yw, right);
  which = select(which, vec2u(1u), right);
  let below = bottom.xz > best;
  best = select(best, bottom.xz, below);
  which = select(which, vec2u(2u), below);
  let diagonal = bottom.yw > best;
  best = select(best, bottom.yw, diagonal);
  which = select(which, vec2u(3u), diagonal);
  out[window * dims.filters + f] = activate(best.x + b);
  out[(window + 1u) * dims.filters + f] = activate(best.y + b);
  argmax[window * dims.filters + f] = which.x;
  argmax[(window + 1u) * dims.filters + f] = which.y;
}

#if ${live}
// The live bits of a pair's 8 rows: its left window's 4 positions, then the right one's.
fn live_rows(p: Patch) -> u32 {
  // Σ |patch| at each position: nonzero (or NaN) where the patch has a nonzero
  let one = Weights(vec4f(1.0), 1.0);
  let m = Patch(magnitude(p.p0), magnitude(p.p1), magnitude(p.p2), magnitude(p.p3), magnitude(p.p4), magnitude(p.p5));
  let top = conv_row(one, m.p0) + conv_row(one, m.p1) + conv_row(one, m.p2) + conv_row(one, m.p3) + conv_row(one, m.p4);
  let bottom = conv_row(one, m.p1) + conv_row(one, m.p2) + conv_row(one, m.p3) + conv_row(one, m.p4) + conv_row(one, m.p5);
  return nonzero4(vec4f(top.xy, bottom.xy)) | (nonzero4(vec4f(top.zw, bottom.zw)) << 4u);
}
#endif

fn load_row(first: u32) -> Row {
  return Row(vec4f(inp[first], inp[first + 1u], inp[first + 2u], inp[first + 3u]),
    vec4f(inp[first + 4u], inp[first + 5u], inp[first + 6u], inp[first + 7u]));
}

// A row of a filter's 5 weights: the first 4, and the last.
struct Weights {
  w: vec4f,
  last: f32,
}

fn weight_row(first: u32) -> Weights {
  return Weights(vec4f(weight[first], weight[first + 1u], weight[first + 2u], weight[first + 3u]), weight[first + 4u]);
}

// One kernel row's share of the sums at 4 output columns side by side: column x takes p[x .. x + 4].
fn conv_row(k: Weights, p: Row) -> vec4f {
  return vec4f(dot(k.w, p.lo), dot(k.w, vec4f(p.lo.yzw, p.hi.x)), dot(k.w, vec4f(p.lo.zw, p.hi.xy)), dot(k.w, vec4f(p.lo.w, p.hi.xyz))) +
    k.last * p.hi;
}

#if ${live}
fn magnitude(p: Row) -> Row { return Row(abs(p.lo), abs(p.hi)); }

// Bit j set where v[j] is nonzero.
fn nonzero4(v: vec4f) -> u32 {
  return dot(select(vec4u(0u), vec4u(1u, 2u, 4u, 8u), v != vec4f(0.0)), vec4u(1u));
}
#endif
