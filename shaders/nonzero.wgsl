// Where a batch of input data is nonzero, for the sparse products of shaders/gemm.wgsl, which skip the k
// where a register block of BLOCK rows of A is all zero. One bit per k, 32 to a word, in two masks:
//   by_rows     for each block of BLOCK rows of inp, a bit per column (A = inp in the forward product)
//   by_columns  for each block of BLOCK columns of inp, a bit per row  (A = inpᵀ in the weight gradient)
// Bit j of word w of a block is set where some element of the block at k = 32w + j is nonzero (or NaN).
// Each thread reads one tile of 32 × 32 values once and writes 32 / BLOCK words of each mask. With vec4 (features
// a multiple of 4), it reads them 4 at a time: on SwiftShader the masks of 512 digits took 1.2 ms instead of 1.8-2.1.

struct Dims { features: u32 }

override WORKGROUP: u32 = 4u;
override BLOCK: u32 = 16u; // the products' register blocks: 8 or 16 (a divisor of 32)

@group(1) @binding(0) var<uniform> dims: Dims;
#if ${vec4}
@group(1) @binding(1) var<storage, read> inp: array<vec4f>;             // (rows, features / 4)
#else
@group(1) @binding(1) var<storage, read> inp: array<f32>;               // (rows, features)
#endif
@group(1) @binding(2) var<storage, read_write> by_rows: array<u32>;     // (rows / BLOCK, features / 32)
@group(1) @binding(3) var<storage, read_write> by_columns: array<u32>;  // (features / BLOCK, rows / 32)

// x: tile of 32 columns, y: tile of 32 rows
@compute @workgroup_size(WORKGROUP, WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r0 = gid.y * 32u;
  let c0 = gid.x * 32u;
  if (r0 >= step.rows || c0 >= dims.features) { return; }
  let rows = min(32u, step.rows - r0);
  let columns = min(32u, dims.features - c0);
  var row_blocks: array<u32, 4>;    // bit j of [b]: column c0 + j is nonzero in rows r0 + BLOCK·b .. r0 + BLOCK·(b + 1) - 1
  var column_blocks: array<u32, 4>; // bit i of [b]: row r0 + i is nonzero in columns c0 + BLOCK·b .. c0 + BLOCK·(b + 1) - 1
  let block_bits = (1u << BLOCK) - 1u; // BLOCK < 32
  for (var i = 0u; i < rows; i++) {
    var row = 0u; // bit j: inp[r0 + i, c0 + j] is nonzero
#if ${vec4}
    for (var j = 0u; j < columns; j += 4u) { // columns is a multiple of 4 too
      let nonzero = inp[((r0 + i) * dims.features + c0 + j) / 4u] != vec4f(0.0);
      row |= dot(select(vec4u(0u), vec4u(1u, 2u, 4u, 8u), nonzero), vec4u(1u)) << j;
    }
#else
    for (var j = 0u; j < columns; j++) {
      row |= select(0u, 1u << j, inp[(r0 + i) * dims.features + c0 + j] != 0.0);
    }
#endif
    row_blocks[i / BLOCK] |= row;
    for (var b = 0u; b < 32u / BLOCK; b++) {
      column_blocks[b] |= select(0u, 1u << i, ((row >> (BLOCK * b)) & block_bits) != 0u);
    }
  }
  let column_words = (dims.features + 31u) / 32u;
  let row_words = (step.rows + 31u) / 32u;
  for (var b = 0u; b * BLOCK < rows; b++) { by_rows[(r0 / BLOCK + b) * column_words + gid.x] = row_blocks[b]; }
  for (var b = 0u; b * BLOCK < columns; b++) { by_columns[(c0 / BLOCK + b) * row_words + gid.y] = column_blocks[b]; }
}
