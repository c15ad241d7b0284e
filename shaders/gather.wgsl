// Builds one batch on the GPU: row r of the batch is sample order[batch_start + r] of the dataset.
// Uint8 datasets (bytes packed four to a u32, as uploaded) are scaled to f32 / 255 here;
// Float32 datasets are copied as they are. Labels are always bytes.

struct Step {             // see src/model/schedule.ts
  batch_start: u32,
  rows: u32,
  learning_rate: f32,
  adam_c1: f32,
  adam_c2: f32,
}
struct Dims { features: u32 }

override WORKGROUP: u32 = 64u;

@group(0) @binding(0) var<uniform> step: Step;
@group(1) @binding(0) var<uniform> dims: Dims;
#if ${bytes}
@group(1) @binding(1) var<storage, read> images: array<u32>;       // (count, features) bytes, packed
#else
@group(1) @binding(1) var<storage, read> images: array<f32>;       // (count, features)
#endif
@group(1) @binding(2) var<storage, read> labels: array<u32>;       // (count) bytes, packed
@group(1) @binding(3) var<storage, read> order: array<u32>;        // (count) sample indices
@group(1) @binding(4) var<storage, read_write> inp: array<f32>;    // (rows, features)
@group(1) @binding(5) var<storage, read_write> batch_labels: array<u32>; // (rows)

// Byte i of four-to-a-word packed bytes.
fn unpack_byte(word: u32, i: u32) -> u32 { return (word >> (8u * (i % 4u))) & 0xffu; }

// x: feature, y: batch row
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let f = gid.x;
  let r = gid.y;
  if (f >= dims.features || r >= step.rows) { return; }
  let sample = order[step.batch_start + r];
  let src = sample * dims.features + f;
#if ${bytes}
  inp[r * dims.features + f] = f32(unpack_byte(images[src / 4u], src)) / 255.0;
#else
  inp[r * dims.features + f] = images[src];
#endif
  if (f == 0u) { batch_labels[r] = unpack_byte(labels[sample / 4u], sample); }
}
