// A convolution of one input channel by a 5 × 5 kernel (stride 1, no padding) and the 2 × 2 max pool after it,
// computed directly: out[window, f] = act(bias[f] + max over the window's 4 positions of Σ weight[f, ky, kx] ·
// inp[y + ky, x + kx]), with argmax, which of the 4 won (row-major; the first, if several are equal), as
// shaders/gemm.wgsl's pooled epilogue writes them.
// A thread takes two windows side by side, 2 × 4 output positions, whose 8 patches lie in 6 rows × 8 columns of
// the input. It reads those 48 values once and keeps them in registers, then runs through every filter, reading
// its 25 weights: 73 reads per 8 · 25 multiply-adds of a filter, where the patches' product reads 16 per 64.
// With live, it also notes which of the product's rows (a window's 4 positions, window by window) have a nonzero
// in their patch, a register block of BLOCK = 8 · PAIRS rows to a word, for the per-sample weight gradient
// (shaders/matmul_backward_weight.wgsl) to skip the others; a thread then takes PAIRS pairs of windows.
// The windows across must be even in number, so that a pair never straddles two rows of windows.

struct Dims {
  height: u32,     // the input's, one channel: (rows, height, width) in any layout
  width: u32,
  windows_h: u32,  // floor(out / 2) each way, out = in - 4; windows_w is even
  windows_w: u32,
  filters: u32,
}

override WORKGROUP: u32 = 16u;
override PAIRS: u32 = 1u; // pairs of windows per thread: BLOCK / 8

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

// x: a run of PAIRS pairs of windows, counted over the whole batch
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let per_sample = dims.windows_h * dims.windows_w / 2u;
  let pairs = step.rows * per_sample;
  if (gid.x * PAIRS >= pairs) { return; }
  var bits = 0u; // for live: 8 rows a pair
  for (var i = 0u; i < PAIRS; i++) {
    let pair = gid.x * PAIRS + i;
    if (pair < pairs) { bits |= pool_pair(pair / per_sample, pair % per_sample) << (8u * i); }
  }
#if ${live}
  live[gid.x] = bits;
#endif
}

// Pair q of sample r: every filter's two windows. Returns the live bits of its 8 rows (0 without live).
fn pool_pair(r: u32, q: u32) -> u32 {
  let wy = q / (dims.windows_w / 2u);
  let wx = 2u * (q % (dims.windows_w / 2u)); // the left window
  let first = (r * dims.height + 2u * wy) * dims.width + 2u * wx; // inp[r, 2·wy, 2·wx]
  let p0 = load_row(first);
  let p1 = load_row(first + dims.width);
  let p2 = load_row(first + 2u * dims.width);
  let p3 = load_row(first + 3u * dims.width);
  let p4 = load_row(first + 4u * dims.width);
  let p5 = load_row(first + 5u * dims.width);
  let window = (r * dims.windows_h + wy) * dims.windows_w + wx; // the left window's, in out
  for (var f = 0u; f < dims.filters; f++) {
    let at = f * 25u; // weight[f, 0, 0, 0]
    let w0 = weight_row(at);
    let w1 = weight_row(at + 5u);
    let w2 = weight_row(at + 10u);
    let w3 = weight_row(at + 15u);
    let w4 = weight_row(at + 20u);
    // the sums at output rows 2·wy (top) and 2·wy + 1 (bottom), columns 2·wx .. 2·wx + 3
    let top = conv_row(w0, p0) + conv_row(w1, p1) + conv_row(w2, p2) + conv_row(w3, p3) + conv_row(w4, p4);
    let bottom = conv_row(w0, p1) + conv_row(w1, p2) + conv_row(w2, p3) + conv_row(w3, p4) + conv_row(w4, p5);
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
    let b = bias[f];
    out[window * dims.filters + f] = activate(best.x + b);
    out[(window + 1u) * dims.filters + f] = activate(best.y + b);
    argmax[window * dims.filters + f] = which.x;
    argmax[(window + 1u) * dims.filters + f] = which.y;
  }
#if ${live}
  // Σ |patch| at each position: nonzero (or NaN) where the patch has a nonzero
  let one = Weights(vec4f(1.0), 1.0);
  let top = conv_row(one, magnitude(p0)) + conv_row(one, magnitude(p1)) + conv_row(one, magnitude(p2)) + conv_row(one, magnitude(p3)) +
    conv_row(one, magnitude(p4));
  let bottom = conv_row(one, magnitude(p1)) + conv_row(one, magnitude(p2)) + conv_row(one, magnitude(p3)) + conv_row(one, magnitude(p4)) +
    conv_row(one, magnitude(p5));
  // rows of the pair: the left window's 4 positions, then the right one's
  return nonzero4(vec4f(top.xy, bottom.xy)) | (nonzero4(vec4f(top.zw, bottom.zw)) << 4u);
#else
  return 0u;
#endif
}

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
