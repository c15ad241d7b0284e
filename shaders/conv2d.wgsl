// A convolution's data movement; its arithmetic is matmul.wgsl's, on the matrix of patches this builds.
//   im2col  col[r·P + p, k] = inp[r, c, y, x], or 0 where (y, x) falls in the padding
//   col2im  dinp[r, c, y, x] = Σ of dcol[r·P + p, t] over the (p, t) that im2col reads (r, c, y, x) into
// for output position p = oy · out_width + ox of P, where y = oy · stride_y - pad_top + ky and
// x = ox · stride_x - pad_left + kx. col's taps k = (c · kernel_h + ky) · kernel_w + kx are in the weight's
// order (filters, channels · kernel_h · kernel_w), as PyTorch stores it: row p of col times the weight is the
// convolution at p, and the product col · weightᵀ (rows · P, filters) is the output, position by position,
// channels last. dcol's taps t = (ky · kernel_w + kx) · channels + c have the channels last, as matmul writes
// them through its columns table: col2im, im2col's adjoint, then reads a tap's channels side by side. With
// dcol = dout · weight it is the input gradient.
// inp and dinp may be in either layout: element (c, y, x) of a sample is at
// c · c_stride + y · y_stride + x · x_stride, (H·W, W, 1) for channels first and (1, W·C, C) for channels last.
// With vec4 (col2im, channels last, a multiple of 4 of them), a `value` is 4 channels side by side and every
// channel count and stride in Dims counts such groups, as in pool.wgsl.
// With pooled (col2im), dcol's positions come window by window, as the fused 2 × 2 max pool's product wrote
// them (see productPositions in src/ops/conv2d.ts); the positions no window takes have no row, and no gradient.

struct Dims {
  channels: u32,
  height: u32,
  width: u32,
  c_stride: u32,
  y_stride: u32,
  x_stride: u32,
  out_height: u32,
  out_width: u32,
  kernel_h: u32,
  kernel_w: u32,
  stride_y: u32,
  stride_x: u32,
  pad_top: u32,
  pad_left: u32,
}

override WORKGROUP: u32 = 64u;

#if ${vec4}
alias value = vec4f;
#else
alias value = f32;
#endif

@group(1) @binding(0) var<uniform> dims: Dims;
#if ${im2col}
@group(1) @binding(1) var<storage, read> inp: array<f32>;          // (rows, C, H, W) in its layout
@group(1) @binding(2) var<storage, read_write> col: array<f32>;    // (rows · P, C · kernel_h · kernel_w)
#else
@group(1) @binding(1) var<storage, read> dcol: array<value>;         // (rows · P, kernel_h · kernel_w · C)
@group(1) @binding(2) var<storage, read_write> dinp: array<value>;   // (rows, C, H, W) in inp's layout
#endif

#if ${pooled}
fn positions() -> u32 { return 4u * (dims.out_height / 2u) * (dims.out_width / 2u); }
// dcol's row (within a sample) of output position (oy, ox), or none past the last whole window.
fn position_row(oy: u32, ox: u32) -> u32 {
  return (((oy / 2u) * (dims.out_width / 2u) + ox / 2u) * 4u) + (oy % 2u) * 2u + ox % 2u;
}
fn has_row(oy: u32, ox: u32) -> bool { return oy < dims.out_height / 2u * 2u && ox < dims.out_width / 2u * 2u; }
#else
fn positions() -> u32 { return dims.out_height * dims.out_width; }
fn position_row(oy: u32, ox: u32) -> u32 { return oy * dims.out_width + ox; }
fn has_row(oy: u32, ox: u32) -> bool { return true; }
#endif
fn taps() -> u32 { return dims.channels * dims.kernel_h * dims.kernel_w; }
// Where element (c, y, x) of row r is.
fn at(r: u32, c: u32, y: u32, x: u32) -> u32 {
  return r * dims.channels * dims.height * dims.width + c * dims.c_stride + y * dims.y_stride + x * dims.x_stride;
}

#if ${im2col}
// x: output position p, y: row r. Each thread writes row r·P + p of col, its K taps in order. Without padding
// every tap is inside the input, and the kernel skips the checks.
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = gid.x;
  let r = gid.y;
  if (p >= positions() || r >= step.rows) { return; }
  let y0 = i32((p / dims.out_width) * dims.stride_y) - i32(dims.pad_top);
  let x0 = i32((p % dims.out_width) * dims.stride_x) - i32(dims.pad_left);
  let sample = i32(r * dims.channels * dims.height * dims.width);
  var k = (r * positions() + p) * taps();
  for (var c = 0u; c < dims.channels; c++) {
    for (var ky = 0u; ky < dims.kernel_h; ky++) {
      let y = y0 + i32(ky);
      let first = sample + i32(c * dims.c_stride) + y * i32(dims.y_stride) + x0 * i32(dims.x_stride); // where (c, y, x0) is
      for (var kx = 0u; kx < dims.kernel_w; kx++) {
#if ${padded}
        let x = x0 + i32(kx);
        var value = 0.0;
        if (y >= 0 && y < i32(dims.height) && x >= 0 && x < i32(dims.width)) { value = inp[u32(first) + kx * dims.x_stride]; }
        col[k] = value;
#else
        col[k] = inp[u32(first) + kx * dims.x_stride];
#endif
        k++;
      }
    }
  }
}
#else
// The output positions o along one axis whose taps reach input index i: o · stride = i + pad - k for a tap
// k in [0, kernel), so o runs from ceil((i + pad - kernel + 1) / stride) to floor((i + pad) / stride), kept
// inside [0, count). Empty when first > last.
fn reaching(i: u32, pad: u32, kernel: u32, stride: u32, count: u32) -> vec2i {
  let t = i32(i + pad);
  let first = max(t - i32(kernel) + i32(stride), 0) / i32(stride); // ceil((t - kernel + 1) / stride), or 0
  let last = min(t / i32(stride), i32(count) - 1);
  return vec2i(first, last);
}

// x: input position y · W + x, y: row r; every channel (CPU adapters pay per invocation, and for integer
// division: the ranges of output positions are found once, and the loops need none).
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  if (gid.x >= dims.height * dims.width || r >= step.rows) { return; }
  let y = gid.x / dims.width;
  let x = gid.x % dims.width;
  let oy_range = reaching(y, dims.pad_top, dims.kernel_h, dims.stride_y, dims.out_height);
  let ox_range = reaching(x, dims.pad_left, dims.kernel_w, dims.stride_x, dims.out_width);
  let into = at(r, 0u, y, x);
  for (var c = 0u; c < dims.channels; c++) {
    var sum = value(0.0);
    for (var oy = oy_range.x; oy <= oy_range.y; oy++) {
      let ky = i32(y + dims.pad_top) - oy * i32(dims.stride_y);
      let tap_row = u32(ky) * dims.kernel_w * dims.channels + c;
      for (var ox = ox_range.x; ox <= ox_range.y; ox++) {
        if (!has_row(u32(oy), u32(ox))) { continue; }
        let kx = i32(x + dims.pad_left) - ox * i32(dims.stride_x);
        sum += dcol[(r * positions() + position_row(u32(oy), u32(ox))) * taps() + tap_row + u32(kx) * dims.channels];
      }
    }
    dinp[into + c * dims.c_stride] = sum;
  }
}
#endif
