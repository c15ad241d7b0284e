// Max and average pooling over windows of SIZE_H × SIZE_W moved by (stride_y, stride_x), without padding
// (a window that would run past the input's edge is not taken):
//   forward   out[r, c, oy, ox] = max (or mean) of inp[r, c, oy · stride_y + i, ox · stride_x + j]
//   backward  dinp[r, c, y, x] = Σ over the windows that hold (y, x) of dout[r, c, oy, ox] times
//             max: 1 if (y, x) is the window's maximum (the first, in row-major order, if several are equal), else 0
//             average: 1 / (SIZE_H · SIZE_W)
// Tensors may be in either layout, as in conv2d.wgsl: element (c, y, x) of a sample of inp (and dinp) is at
// c · c_stride + y · y_stride + x · x_stride, and of out (and dout) at c · out_c_stride + ...
// Each thread does every channel of one position (CPU adapters pay per invocation), its offsets worked out
// once. With vec4 (channels last, a multiple of 4 of them), a `value` is 4 channels side by side and every
// size and stride in Dims counts such groups: the code below is the same, each line acting on 4 channels.
// The backward pass reads inp again to find each window's maximum: no indices are kept between passes, but
// after a convolution that pooled its own product (unpool, 2 × 2 max pools: matmul.wgsl's pooled), which kept
// them and never stored its input to the pool. With
// tiles (windows that do not overlap), a thread per window writes its whole tile of dinp (its window, and any
// rows and columns no window takes up to the next window or the edge); else a thread per input position
// gathers from its windows.

struct Dims {
  channels: u32,
  height: u32,
  width: u32,
  c_stride: u32,
  y_stride: u32,
  x_stride: u32,
  out_height: u32,
  out_width: u32,
  out_c_stride: u32,
  out_y_stride: u32,
  out_x_stride: u32,
  stride_y: u32,
  stride_x: u32,
}

override WORKGROUP: u32 = 64u;
override SIZE_H: u32 = 2u; // the window
override SIZE_W: u32 = 2u;

#if ${vec4}
alias value = vec4f;
alias index = vec4u;
#else
alias value = f32;
alias index = u32;
#endif

@group(1) @binding(0) var<uniform> dims: Dims;
#if ${unpool}
@group(1) @binding(1) var<storage, read> argmax: array<index>;       // (rows, windows, C): which of the window's 4 won
@group(1) @binding(2) var<storage, read> dout: array<value>;         // (rows, windows, C)
@group(1) @binding(3) var<storage, read_write> dinp: array<value>;   // (rows, 4 · windows, C)

// x: window w (the output position oy · out_width + ox), y: row r. The convolution's product (and so dinp)
// has its positions 4 by 4, window by window (see productPositions in src/ops/conv2d.ts), channels last: the
// window's 4 rows each get dout where they won, else 0.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  let windows = dims.out_height * dims.out_width;
  if (gid.x >= windows || r >= step.rows) { return; }
  let window = (r * windows + gid.x) * dims.channels;
  for (var c = 0u; c < dims.channels; c++) {
    let d = dout[window + c];
    let at = argmax[window + c];
    for (var q = 0u; q < 4u; q++) {
      dinp[(4u * window) + q * dims.channels + c] = select(value(0.0), d, at == index(q));
    }
  }
}
#else
@group(1) @binding(1) var<storage, read> inp: array<value>;          // (rows, C, H, W) in its layout
#if ${forward}
@group(1) @binding(2) var<storage, read_write> out: array<value>;    // (rows, C, out_height, out_width)
#else
@group(1) @binding(2) var<storage, read> dout: array<value>;         // (rows, C, out_height, out_width)
@group(1) @binding(3) var<storage, read_write> dinp: array<value>;   // (rows, C, H, W) in inp's layout
#endif

fn in_at(r: u32, y: u32, x: u32) -> u32 { // channel 0 of (y, x) in row r
  return r * dims.channels * dims.height * dims.width + y * dims.y_stride + x * dims.x_stride;
}
fn out_at(r: u32, oy: u32, ox: u32) -> u32 {
  return r * dims.channels * dims.out_height * dims.out_width + oy * dims.out_y_stride + ox * dims.out_x_stride;
}

// The max (or mean) of the window starting at inp[first] (channel c's first value).
fn pooled(first: u32) -> value {
#if ${max}
  var result = inp[first];
#else
  var result = value(0.0);
#endif
  for (var i = 0u; i < SIZE_H; i++) {
    for (var j = 0u; j < SIZE_W; j++) {
      let v = inp[first + i * dims.y_stride + j * dims.x_stride];
#if ${max}
      result = max(result, v);
#else
      result += v;
#endif
    }
  }
#if ${max}
  return result;
#else
  return result / f32(SIZE_H * SIZE_W);
#endif
}

#if ${max}
// Where the window starting at inp[first] has its maximum, as i · SIZE_W + j within it (per channel, with vec4).
fn window_max(first: u32) -> index {
  var best = inp[first];
  var at = index(0u);
  for (var i = 0u; i < SIZE_H; i++) {
    for (var j = 0u; j < SIZE_W; j++) {
      let v = inp[first + i * dims.y_stride + j * dims.x_stride];
      at = select(at, index(i * SIZE_W + j), v > best);
      best = max(best, v);
    }
  }
  return at;
}
#endif

#if ${forward}
// x: output position oy · out_width + ox, y: row r.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  if (gid.x >= dims.out_height * dims.out_width || r >= step.rows) { return; }
  let oy = gid.x / dims.out_width;
  let ox = gid.x % dims.out_width;
  let first = in_at(r, oy * dims.stride_y, ox * dims.stride_x);
  let into = out_at(r, oy, ox);
  for (var c = 0u; c < dims.channels; c++) {
    out[into + c * dims.out_c_stride] = pooled(first + c * dims.c_stride);
  }
}
#elif ${tiles}
// x: window oy · out_width + ox, y: row r. Its tile runs from the window's first row to the next window's (the
// input's last, for the last window), and likewise for columns.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  if (gid.x >= dims.out_height * dims.out_width || r >= step.rows) { return; }
  let oy = gid.x / dims.out_width;
  let ox = gid.x % dims.out_width;
  let tile = vec2u(select(dims.stride_y, dims.height - oy * dims.stride_y, oy + 1u == dims.out_height),
                   select(dims.stride_x, dims.width - ox * dims.stride_x, ox + 1u == dims.out_width));
  let first = in_at(r, oy * dims.stride_y, ox * dims.stride_x);
  let source = out_at(r, oy, ox);
  for (var c = 0u; c < dims.channels; c++) {
    let start = first + c * dims.c_stride;
    let d = dout[source + c * dims.out_c_stride];
#if ${max}
    let at = window_max(start);
#endif
    for (var i = 0u; i < tile.x; i++) {
      for (var j = 0u; j < tile.y; j++) {
        let inside = i < SIZE_H && j < SIZE_W;
#if ${max}
        let here = select(SIZE_H * SIZE_W, i * SIZE_W + j, inside); // never the maximum outside the window
        let routed = select(value(0.0), d, at == index(here));
#else
        let routed = select(value(0.0), d / f32(SIZE_H * SIZE_W), inside);
#endif
        dinp[start + i * dims.y_stride + j * dims.x_stride] = routed;
      }
    }
  }
}
#else
// x: input position y · W + x, y: row r. The windows holding row y are those with
// oy · stride_y <= y < oy · stride_y + SIZE_H, and likewise for x. (Never vec4.)
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  if (gid.x >= dims.height * dims.width || r >= step.rows) { return; }
  let y = gid.x / dims.width;
  let x = gid.x % dims.width;
  let first = vec2u(select(0u, (y + 1u - SIZE_H + dims.stride_y - 1u) / dims.stride_y, y + 1u > SIZE_H),
                    select(0u, (x + 1u - SIZE_W + dims.stride_x - 1u) / dims.stride_x, x + 1u > SIZE_W));
  let last = vec2u(min(y / dims.stride_y, dims.out_height - 1u), min(x / dims.stride_x, dims.out_width - 1u));
  let into = in_at(r, y, x);
  for (var c = 0u; c < dims.channels; c++) {
    var sum = 0.0;
    for (var oy = first.x; oy <= last.x; oy++) {
      for (var ox = first.y; ox <= last.y; ox++) {
        let d = dout[out_at(r, oy, ox) + c * dims.out_c_stride];
#if ${max}
        let at = window_max(in_at(r, oy * dims.stride_y, ox * dims.stride_x) + c * dims.c_stride);
        if (at == (y - oy * dims.stride_y) * SIZE_W + x - ox * dims.stride_x) { sum += d; }
#else
        sum += d;
#endif
      }
    }
#if ${max}
    dinp[into + c * dims.c_stride] = sum;
#else
    dinp[into + c * dims.c_stride] = sum / f32(SIZE_H * SIZE_W);
#endif
  }
}
#endif
#endif
