// Max and average pooling over windows of size_h × size_w moved by (stride_y, stride_x), without padding
// (a window that would run past the input's edge is not taken):
//   forward   out[r, c, oy, ox] = max (or mean) of inp[r, c, oy · stride_y + i, ox · stride_x + j]
//   backward  dinp[r, c, y, x] = Σ over the windows that hold (y, x) of dout[r, c, oy, ox] times
//             max: 1 if (y, x) is the window's maximum (the first, in row-major order, if several are equal), else 0
//             average: 1 / (size_h · size_w)
// Tensors may be in either layout, as in conv2d.wgsl: element (c, y, x) of a sample of inp (and dinp) is at
// c · c_stride + y · y_stride + x · x_stride, and of out (and dout) at c · out_c_stride + ...
// Each thread does every channel of one position (CPU adapters pay per invocation). The backward pass reads inp
// again to find each window's maximum: no indices are kept between passes. With tiles (windows that do not
// overlap), a thread per window writes its whole tile of dinp (its window, and any rows and columns no window
// takes up to the next window or the edge); else a thread per input position gathers from its windows.

struct Step {             // see src/model/schedule.ts
  batch_start: u32,
  rows: u32,
  learning_rate: f32,
  adam_c1: f32,
  adam_c2: f32,
  seed: u32,              // for data augmentation and dropout
}
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
  size_h: u32,
  size_w: u32,
  stride_y: u32,
  stride_x: u32,
}

override WORKGROUP: u32 = 64u;

@group(0) @binding(0) var<uniform> step: Step;
@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> inp: array<f32>;          // (rows, C, H, W) in its layout
#if ${forward}
@group(1) @binding(2) var<storage, read_write> out: array<f32>;    // (rows, C, out_height, out_width)
#else
@group(1) @binding(2) var<storage, read> dout: array<f32>;         // (rows, C, out_height, out_width)
@group(1) @binding(3) var<storage, read_write> dinp: array<f32>;   // (rows, C, H, W) in inp's layout
#endif

fn in_at(r: u32, c: u32, y: u32, x: u32) -> u32 {
  return r * dims.channels * dims.height * dims.width + c * dims.c_stride + y * dims.y_stride + x * dims.x_stride;
}
fn out_at(r: u32, c: u32, oy: u32, ox: u32) -> u32 {
  return r * dims.channels * dims.out_height * dims.out_width + c * dims.out_c_stride + oy * dims.out_y_stride + ox * dims.out_x_stride;
}

#if ${max}
// Where window (oy, ox) of channel c of row r has its maximum, as (i, j) within the window.
fn window_max(r: u32, c: u32, oy: u32, ox: u32) -> vec2u {
  let y0 = oy * dims.stride_y;
  let x0 = ox * dims.stride_x;
  var best = inp[in_at(r, c, y0, x0)];
  var at = vec2u(0u);
  for (var i = 0u; i < dims.size_h; i++) {
    for (var j = 0u; j < dims.size_w; j++) {
      let value = inp[in_at(r, c, y0 + i, x0 + j)];
      if (value > best) {
        best = value;
        at = vec2u(i, j);
      }
    }
  }
  return at;
}
#else
// The mean of window (oy, ox) of channel c of row r.
fn window_mean(r: u32, c: u32, oy: u32, ox: u32) -> f32 {
  var sum = 0.0;
  for (var i = 0u; i < dims.size_h; i++) {
    for (var j = 0u; j < dims.size_w; j++) {
      sum += inp[in_at(r, c, oy * dims.stride_y + i, ox * dims.stride_x + j)];
    }
  }
  return sum / f32(dims.size_h * dims.size_w);
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
  for (var c = 0u; c < dims.channels; c++) {
#if ${max}
    let at = window_max(r, c, oy, ox);
    out[out_at(r, c, oy, ox)] = inp[in_at(r, c, oy * dims.stride_y + at.x, ox * dims.stride_x + at.y)];
#else
    out[out_at(r, c, oy, ox)] = window_mean(r, c, oy, ox);
#endif
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
  let first = vec2u(oy * dims.stride_y, ox * dims.stride_x);
  let end = vec2u(select((oy + 1u) * dims.stride_y, dims.height, oy + 1u == dims.out_height),
                  select((ox + 1u) * dims.stride_x, dims.width, ox + 1u == dims.out_width));
  for (var c = 0u; c < dims.channels; c++) {
    let d = dout[out_at(r, c, oy, ox)];
#if ${max}
    let at = first + window_max(r, c, oy, ox);
#endif
    for (var y = first.x; y < end.x; y++) {
      for (var x = first.y; x < end.y; x++) {
#if ${max}
        dinp[in_at(r, c, y, x)] = select(0.0, d, y == at.x && x == at.y);
#else
        let inside = y - first.x < dims.size_h && x - first.y < dims.size_w;
        dinp[in_at(r, c, y, x)] = select(0.0, d / f32(dims.size_h * dims.size_w), inside);
#endif
      }
    }
  }
}
#else
// x: input position y · W + x, y: row r. The windows holding row y are those with
// oy · stride_y <= y < oy · stride_y + size_h, and likewise for x.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  if (gid.x >= dims.height * dims.width || r >= step.rows) { return; }
  let y = gid.x / dims.width;
  let x = gid.x % dims.width;
  let first = vec2u(select(0u, (y + 1u - dims.size_h + dims.stride_y - 1u) / dims.stride_y, y + 1u > dims.size_h),
                    select(0u, (x + 1u - dims.size_w + dims.stride_x - 1u) / dims.stride_x, x + 1u > dims.size_w));
  let last = vec2u(min(y / dims.stride_y, dims.out_height - 1u), min(x / dims.stride_x, dims.out_width - 1u));
  for (var c = 0u; c < dims.channels; c++) {
    var sum = 0.0;
    for (var oy = first.x; oy <= last.x; oy++) {
      for (var ox = first.y; ox <= last.y; ox++) {
#if ${max}
        let at = vec2u(oy * dims.stride_y, ox * dims.stride_x) + window_max(r, c, oy, ox);
        if (at.x == y && at.y == x) { sum += dout[out_at(r, c, oy, ox)]; }
#else
        sum += dout[out_at(r, c, oy, ox)];
#endif
      }
    }
#if ${max}
    dinp[in_at(r, c, y, x)] = sum;
#else
    dinp[in_at(r, c, y, x)] = sum / f32(dims.size_h * dims.size_w);
#endif
  }
}
#endif
