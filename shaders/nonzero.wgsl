// Where a batch of input data is nonzero, for the sparse products of shaders/matmul.wgsl, which skip the
// k where a block of 16 rows of A is all zero. One bit per k, 32 to a word:
//   byRows    for each block of 16 rows of inp, a bit per column (A = inp in the forward product)
//   otherwise for each block of 16 columns of inp, a bit per row  (A = inpᵀ in the weight gradient)
// Bit j of word w of a block is set where some element of the block at k = 32w + j is nonzero (or NaN).

struct Step {             // see src/model/schedule.ts
  batch_start: u32,
  rows: u32,
  learning_rate: f32,
  adam_c1: f32,
  adam_c2: f32,
  seed: u32,              // for data augmentation
}
struct Dims { features: u32 }

override WORKGROUP: u32 = 64u;

@group(0) @binding(0) var<uniform> step: Step;
@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> inp: array<f32>;         // (rows, features)
@group(1) @binding(2) var<storage, read_write> mask: array<u32>;  // (blocks, words): see above

// (blocks of 16 along, bits along): the sizes of the masked matrix A.
fn size_mk() -> vec2u {
#if ${byRows}
  return vec2u(step.rows, dims.features);
#else
  return vec2u(dims.features, step.rows);
#endif
}

// A[m, k]
fn element(m: u32, k: u32) -> f32 {
#if ${byRows}
  return inp[m * dims.features + k];
#else
  return inp[k * dims.features + m];
#endif
}

// x: word, y: block
@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = size_mk();
  let words = (size.y + 31u) / 32u;
  let w = gid.x;
  let first = gid.y * 16u;
  if (w >= words || first >= size.x) { return; }
  var bits = 0u;
  for (var m = first; m < min(first + 16u, size.x); m++) {
    for (var j = 0u; j < min(32u, size.y - 32u * w); j++) {
      bits |= select(0u, 1u << j, element(m, 32u * w + j) != 0.0);
    }
  }
  mask[gid.y * words + w] = bits;
}
