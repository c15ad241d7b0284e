// The input gradient of a 3 × 3 convolution of stride 1 by Winograd's F(2 × 2, 3 × 3), as shaders/winograd.wgsl
// computes the forward. The input gradient is a full correlation of the output gradient with the weights
// flipped and transposed:
//   dinp[y, x, c] = Σ_f Σ_a Σ_b dpad[y + a, x + b, f] · weight[f, c, 2 - a, 2 - b]
// with dpad the output gradient dout (out_height, out_width, F) with 2 rows and columns of zeros on every
// side. That is a 3 × 3 convolution of stride 1 without padding, of dpad by g'[c, f] = flip(g[f, c]), whose
// output has the input's size: its tiles are 2 × 2 positions of the input, tile (ty, tx) reading dpad's 4 × 4
// from (2·ty, 2·tx), that is dout's from (2·ty - 2, 2·tx - 2). The forward's transformed weights serve:
// G flip(g) Gᵀ is G g Gᵀ with its first and last rows and columns swapped (G's first and last rows are each
// other's reverse, its middle two their own), so the product reads u through that swap
// (shaders/winograd_product.wgsl's flipped). Two passes here, around that product (src/ops/winograd.ts):
//   tiles    v (16, M, F)     v[ξ] = (Bᵀ d B)[ξ] for every (tile, filter), d a 4 × 4 of dpad, M = rows · tiles
//   (product p (16, M, C) = v[ξ] (M, F) · u[σ(ξ)]ᵀ (F, C))
//   inputs   dinp             Aᵀ p A, times act'(inp) of the layer before, each tile's 4 positions of the input
// dout's rows are the forward product's: position by position, or (pooled) window by window, 4 rows a window
// (see productPositions in src/ops/conv2d.ts); a position no window takes has no row, and no gradient. The
// input and its gradient are channels last: (rows, height, width, C).

struct Dims {
  filters: u32,    // F; with vec4, counted in groups of 4 (as are channels, for the pass that writes 4 at once)
  channels: u32,   // C
  height: u32,     // the input's; its tiles are ceil(height / 2) × ceil(width / 2)
  width: u32,
  out_height: u32, // the convolution's output (dout's positions)
  out_width: u32,
}

override WORKGROUP: u32 = 64u;

// With vec4 (tiles: a multiple of 4 filters; inputs: a multiple of 4 channels), a thread transforms 4 filters
// (channels) side by side: every value below is 4 of them.
#if ${vec4}
alias value = vec4f;
#else
alias value = f32;
#endif

@group(1) @binding(0) var<uniform> dims: Dims;
#if ${tiles}
@group(1) @binding(1) var<storage, read> dout: array<value>;     // (rows · positions, F): the forward product's rows
@group(1) @binding(2) var<storage, read_write> v: array<value>;  // (16, rows · tiles, F)
#else
@group(1) @binding(1) var<storage, read> p: array<value>;        // (16, rows · tiles, C)
@group(1) @binding(2) var<storage, read> inp: array<value>;      // (rows, height, width, C): the layer's input, activated
@group(1) @binding(3) var<storage, read_write> dinp: array<value>; // (rows, height, width, C), w.r.t. its pre-activation
#endif

fn tiles_w() -> u32 { return (dims.width + 1u) / 2u; }
fn tiles() -> u32 { return (dims.height + 1u) / 2u * tiles_w(); }

#if ${tiles}
// x: tile t · F + filter f, y: row r. d, dpad's 4 × 4 at (2·ty, 2·tx), is dout's 2 × 2 blocks of positions
// (by, bx) for by = ty - 1, ty and bx = tx - 1, tx (block (by, bx) at positions (2·by, 2·bx)). v = Bᵀ d B
// (shaders/winograd_tile.wgsl). (Every index below is a constant: SwiftShader keeps arrays indexed at run time
// in memory.)
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  let t = gid.x / dims.filters;
  let f = gid.x % dims.filters;
  if (t >= tiles() || r >= step.rows) { return; }
  let by = i32(t / tiles_w()) - 1;
  let bx = i32(t % tiles_w()) - 1;
  let first = r * positions(); // the sample's first row of dout
  let top_left = block(first, f, by, bx); // d[0 .. 1, 0 .. 1], row by row
  let top_right = block(first, f, by, bx + 1);
  let bottom_left = block(first, f, by + 1, bx);
  let bottom_right = block(first, f, by + 1, bx + 1);
  let at = (r * tiles() + t) * dims.filters + f;
  let plane = step.rows * tiles() * dims.filters; // v[ξ] apart
  put_tile(at, plane, array(top_left[0], top_left[1], top_right[0], top_right[1]), array(top_left[2], top_left[3], top_right[2], top_right[3]),
    array(bottom_left[0], bottom_left[1], bottom_right[0], bottom_right[1]), array(bottom_left[2], bottom_left[3], bottom_right[2], bottom_right[3]));
}

#if ${pooled}
fn positions() -> u32 { return 4u * (dims.out_height / 2u) * (dims.out_width / 2u); }
// dout's 2 × 2 block (by, bx) of the sample whose first row is `first`, row by row: a window, its 4 rows
// together; zeros in the padding, and past the last whole window (positions no window takes have no gradient).
fn block(first: u32, f: u32, by: i32, bx: i32) -> array<value, 4> {
  let windows_w = dims.out_width / 2u;
  if (by < 0 || bx < 0 || u32(by) >= dims.out_height / 2u || u32(bx) >= windows_w) { return array<value, 4>(); }
  let row = first + (u32(by) * windows_w + u32(bx)) * 4u;
  return array<value, 4>(dout[row * dims.filters + f], dout[(row + 1u) * dims.filters + f], dout[(row + 2u) * dims.filters + f],
    dout[(row + 3u) * dims.filters + f]);
}
#else
fn positions() -> u32 { return dims.out_height * dims.out_width; }
// dout's 2 × 2 block (by, bx) of the sample whose first row is `first`, row by row; zeros in the padding.
fn block(first: u32, f: u32, by: i32, bx: i32) -> array<value, 4> {
  let oy = 2 * by;
  let ox = 2 * bx;
  return array<value, 4>(gradient(first, f, oy, ox), gradient(first, f, oy, ox + 1), gradient(first, f, oy + 1, ox),
    gradient(first, f, oy + 1, ox + 1));
}
// dout[oy, ox, f], or 0 in the padding.
fn gradient(first: u32, f: u32, oy: i32, ox: i32) -> value {
  if (oy < 0 || ox < 0 || u32(oy) >= dims.out_height || u32(ox) >= dims.out_width) { return value(0.0); }
  return dout[(first + u32(oy) * dims.out_width + u32(ox)) * dims.filters + f];
}
#endif
#else
// x: tile t · C + channel c, y: row r. The tile = Aᵀ p A (shaders/winograd_tile.wgsl).
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  let t = gid.x / dims.channels;
  let c = gid.x % dims.channels;
  if (t >= tiles() || r >= step.rows) { return; }
  let at = (r * tiles() + t) * dims.channels + c;
  let plane = step.rows * tiles() * dims.channels; // p[ξ] apart
  let tile = output_tile(at, plane);
  let y = 2u * (t / tiles_w());
  let x = 2u * (t % tiles_w());
  let first = ((r * dims.height + y) * dims.width + x) * dims.channels + c; // (y, x, c) of the sample
  let right = x + 1u < dims.width;
  put(first, tile[0]);
  if (right) { put(first + dims.channels, tile[1]); }
  if (y + 1u < dims.height) {
    let below = first + dims.width * dims.channels;
    put(below, tile[2]);
    if (right) { put(below + dims.channels, tile[3]); }
  }
}

// dinp[i] = the summed gradient, through act' of the layer before (taken from its output, inp).
fn put(i: u32, sum: value) {
#if ${vec4}
  let y = inp[i];
  dinp[i] = sum * vec4f(activate_grad(y.x), activate_grad(y.y), activate_grad(y.z), activate_grad(y.w));
#else
  dinp[i] = sum * activate_grad(inp[i]);
#endif
}
#endif
