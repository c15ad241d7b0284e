// Where a batch of input data is nonzero, for the sparse products of shaders/matmul.wgsl, which skip the
// k where a block of 16 rows of A is all zero. One bit per k, 32 to a word, in two masks:
//   by_rows     for each block of 16 rows of inp, a bit per column (A = inp in the forward product)
//   by_columns  for each block of 16 columns of inp, a bit per row  (A = inpᵀ in the weight gradient)
// Bit j of word w of a block is set where some element of the block at k = 32w + j is nonzero (or NaN).
// Each thread reads one tile of 32 × 32 values once and writes two words of each mask.

struct Dims { features: u32 }

override WORKGROUP: u32 = 4u;

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> inp: array<f32>;               // (rows, features)
@group(1) @binding(2) var<storage, read_write> by_rows: array<u32>;     // (rows / 16, features / 32)
@group(1) @binding(3) var<storage, read_write> by_columns: array<u32>;  // (features / 16, rows / 32)

// x: tile of 32 columns, y: tile of 32 rows
@compute @workgroup_size(WORKGROUP, WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r0 = gid.y * 32u;
  let c0 = gid.x * 32u;
  if (r0 >= step.rows || c0 >= dims.features) { return; }
  let rows = min(32u, step.rows - r0);
  let columns = min(32u, dims.features - c0);
  var row_blocks = vec2u(0u);    // bit j: column c0 + j is nonzero in rows r0 .. r0 + 15 (x), r0 + 16 .. r0 + 31 (y)
  var column_blocks = vec2u(0u); // bit i: row r0 + i is nonzero in columns c0 .. c0 + 15 (x), c0 + 16 .. c0 + 31 (y)
  for (var i = 0u; i < rows; i++) {
    var row = 0u; // bit j: inp[r0 + i, c0 + j] is nonzero
    for (var j = 0u; j < columns; j++) {
      row |= select(0u, 1u << j, inp[(r0 + i) * dims.features + c0 + j] != 0.0);
    }
    row_blocks |= select(vec2u(row, 0u), vec2u(0u, row), i >= 16u);
    column_blocks |= select(vec2u(0u), vec2u(1u << i), vec2((row & 0xffffu) != 0u, (row >> 16u) != 0u));
  }
  let column_words = (dims.features + 31u) / 32u;
  let row_words = (step.rows + 31u) / 32u;
  by_rows[r0 / 16u * column_words + gid.x] = row_blocks.x;
  if (rows > 16u) { by_rows[(r0 / 16u + 1u) * column_words + gid.x] = row_blocks.y; }
  by_columns[c0 / 16u * row_words + gid.y] = column_blocks.x;
  if (columns > 16u) { by_columns[(c0 / 16u + 1u) * row_words + gid.y] = column_blocks.y; }
}
