// Builds one batch on the GPU: row r of the batch is sample order[batch_start + r] of the dataset.
// Uint8 datasets (bytes packed four to a u32, as uploaded) are scaled to f32 / 255 here;
// Float32 datasets are copied as they are. Labels are always bytes.
// With augment, each row is also moved by a random whole-pixel shift in [-max_shift, max_shift] and
// rotated by a random angle in [-max_angle, max_angle] about the image centre (bilinear, zero outside),
// drawn from a hash of (step.seed, r); src/reference/kernels.ts draws the same numbers. A sample of several
// channels (features = channels · width · height, channel by channel) moves every channel alike.

struct Dims {
  features: u32,
  width: u32,             // image width and height (of each channel), for augment
  height: u32,
  max_shift: u32,         // pixels
  max_angle: f32,         // radians
}

override WORKGROUP: u32 = 16u;
override PER_THREAD: u32 = 64u; // consecutive features per thread: fewer, busier threads (CPU adapters pay per invocation)

@group(1) @binding(0) var<uniform> dims: Dims;
#if ${bytes}
@group(1) @binding(1) var<storage, read> images: array<u32>;       // (count, features) bytes, packed
#elif ${vec4}
@group(1) @binding(1) var<storage, read> images: array<vec4f>;     // (count, features / 4)
#else
@group(1) @binding(1) var<storage, read> images: array<f32>;       // (count, features)
#endif
@group(1) @binding(2) var<storage, read> labels: array<u32>;       // (count) bytes, packed
@group(1) @binding(3) var<storage, read> order: array<u32>;        // (count) sample indices
#if ${vec4}
@group(1) @binding(4) var<storage, read_write> inp: array<vec4f>;  // (rows, features / 4)
#else
@group(1) @binding(4) var<storage, read_write> inp: array<f32>;    // (rows, features)
#endif
@group(1) @binding(5) var<storage, read_write> batch_labels: array<u32>; // (rows)

// Byte i of four-to-a-word packed bytes.
fn unpack_byte(word: u32, i: u32) -> u32 { return (word >> (8u * (i % 4u))) & 0xffu; }

// Byte i of a packed word, scaled to [0, 1].
fn byte_value(word: u32, i: u32) -> f32 { return f32(unpack_byte(word, i)) / 255.0; }

// Value i of the dataset's images, as a float.
fn image_value(i: u32) -> f32 {
#if ${bytes}
  return byte_value(images[i / 4u], i);
#elif ${vec4}
  return images[i / 4u][i % 4u];
#else
  return images[i];
#endif
}

#if ${augment}
// (cos x, sin x) for |x| <= π/4 by Taylor series, accurate to 3e-8. Vulkan lets the built-in sin and cos
// be off by 2^-11 (SwiftShader is), which would move a rotated pixel by up to 0.01.
fn cos_sin(x: f32) -> vec2f {
  let x2 = x * x;
  let c = 1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0)));
  let s = x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0 * (1.0 - x2 / 72.0))));
  return vec2f(c, s);
}

// Pixel (x, y) of the channel whose first value is at `base`, 0 outside the image.
fn pixel(base: u32, x: i32, y: i32) -> f32 {
  if (x < 0 || y < 0 || x >= i32(dims.width) || y >= i32(dims.height)) { return 0.0; }
  return image_value(base + u32(y) * dims.width + u32(x));
}

// Output value f of a sample moved by (dx, dy) and rotated by angle: sample its channel of the source
// bilinearly at the inverse-transformed position.
fn augmented(sample_base: u32, f: u32, r: u32) -> f32 {
  let h0 = hash(step.seed ^ hash(r));
  let h1 = hash(h0);
  let h2 = hash(h1);
  let span = 2u * dims.max_shift + 1u;
  let shift = vec2f(f32(h0 % span), f32(h1 % span)) - f32(dims.max_shift);
  let angle = (f32(h2 >> 8u) / 16777216.0 * 2.0 - 1.0) * dims.max_angle;
  let centre = vec2f(f32(dims.width - 1u), f32(dims.height - 1u)) * 0.5;
  let plane = dims.width * dims.height;
  let base = sample_base + f / plane * plane; // the channel's first value
  let q = f % plane;
  let p = vec2f(f32(q % dims.width), f32(q / dims.width)) - centre - shift;
  let cs = cos_sin(angle);
  let src = vec2f(cs.x * p.x + cs.y * p.y, -cs.y * p.x + cs.x * p.y) + centre;
  let corner = floor(src);
  let t = src - corner;
  let x = i32(corner.x);
  let y = i32(corner.y);
  let top = mix(pixel(base, x, y), pixel(base, x + 1, y), t.x);
  let bottom = mix(pixel(base, x, y + 1), pixel(base, x + 1, y + 1), t.x);
  return mix(top, bottom, t.y);
}
#endif

// x: feature, y: batch row
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let first = gid.x * PER_THREAD;
  let r = gid.y;
  if (first >= dims.features || r >= step.rows) { return; }
  let sample = order[step.batch_start + r];
  let base = sample * dims.features;
  let end = min(first + PER_THREAD, dims.features);
#if ${augment}
  for (var f = first; f < end; f++) { inp[r * dims.features + f] = augmented(base, f, r); }
#elif ${vec4}
  // Four values a load and a store (features is a multiple of 4, and so is PER_THREAD): on SwiftShader a batch of
  // 512 MNIST digits took 1.2-1.5 ms instead of 1.6-1.7 with a store a value.
  for (var f = first; f < end; f += 4u) {
#if ${bytes}
    let word = images[(base + f) / 4u];
    inp[(r * dims.features + f) / 4u] = vec4f(byte_value(word, 0u), byte_value(word, 1u), byte_value(word, 2u), byte_value(word, 3u));
#else
    inp[(r * dims.features + f) / 4u] = images[(base + f) / 4u];
#endif
  }
#elif ${bytes}
  // A word's four bytes from one load wherever the whole word lies in this thread's share (samples start
  // mid-word: features is not a multiple of 4 here); one byte at a time elsewhere.
  var f = first;
  while (f < end) {
    let i = base + f;
    let out = r * dims.features + f;
    if (i % 4u == 0u && f + 4u <= end) {
      let word = images[i / 4u];
      inp[out] = byte_value(word, 0u);
      inp[out + 1u] = byte_value(word, 1u);
      inp[out + 2u] = byte_value(word, 2u);
      inp[out + 3u] = byte_value(word, 3u);
      f += 4u;
    } else {
      inp[out] = image_value(i);
      f++;
    }
  }
#else
  for (var f = first; f < end; f++) { inp[r * dims.features + f] = images[base + f]; }
#endif
  if (first == 0u) { batch_labels[r] = unpack_byte(labels[sample / 4u], sample); }
}
