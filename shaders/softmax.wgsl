// The output layer: a numerically stable softmax over each row of logits, then one of
//   train     loss, accuracy and dlogits = ∂(mean loss)/∂logits
//   evaluate  loss and accuracy only
//   predict   probabilities only, into row batch_start + r of a (count, classes) output
// with loss crossEntropy (-log p[label]) or mse (mean over classes of (p - onehot)²).
// A single workgroup walks all rows, so the batch totals are reduced here without atomics:
// stats.loss_sum += Σ row loss, stats.correct += Σ correct (argmax == label, first maximum wins).
// In train mode it also flags divergence: stats.diverged_at = batch_start + 1 of the first batch whose
// loss was NaN or infinite (0 while none was); the optimizer stops updating from that batch on.

struct Stats { loss_sum: f32, correct: f32, diverged_at: u32 } // see src/model/plan.ts
struct Dims { classes: u32 }

override WORKGROUP: u32 = 256u; // a power of two, for the tree reduction

@group(1) @binding(0) var<uniform> dims: Dims;
@group(1) @binding(1) var<storage, read> logits: array<f32>;       // (rows, classes)
#if ${predict}
@group(1) @binding(2) var<storage, read_write> probs: array<f32>;  // (count, classes)
#else
@group(1) @binding(2) var<storage, read> labels: array<u32>;       // (rows)
@group(1) @binding(3) var<storage, read_write> stats: Stats;
#endif
#if ${train}
@group(1) @binding(4) var<storage, read_write> dlogits: array<f32>; // (rows, classes)
#endif

var<workgroup> partial_loss: array<f32, WORKGROUP>;
var<workgroup> partial_correct: array<f32, WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(local_invocation_index) t: u32) {
  let classes = dims.classes;
  var loss_sum = 0.0;
  var correct = 0.0;
  for (var r = t; r < step.rows; r += WORKGROUP) {
    let row = r * classes;
    var best = 0u;
    var max_logit = logits[row];
    for (var j = 1u; j < classes; j++) {
      if (logits[row + j] > max_logit) { max_logit = logits[row + j]; best = j; }
    }
    var sum = 0.0;
    for (var j = 0u; j < classes; j++) { sum += exp(logits[row + j] - max_logit); }

#if ${predict}
    let out_row = (step.batch_start + r) * classes;
    for (var j = 0u; j < classes; j++) { probs[out_row + j] = exp(logits[row + j] - max_logit) / sum; }
#else
    let label = labels[r];
    correct += select(0.0, 1.0, best == label);
#if ${crossEntropy}
    // -log p[label] = log Σ exp(z - max) - (z[label] - max): finite for any finite logits.
    loss_sum += log(sum) - (logits[row + label] - max_logit);
#if ${train}
    let scale = 1.0 / f32(step.rows);
    for (var j = 0u; j < classes; j++) {
      let p = exp(logits[row + j] - max_logit) / sum;
      dlogits[row + j] = (p - select(0.0, 1.0, j == label)) * scale;
    }
#endif
#endif
#if ${mse}
    // loss = (1/C) Σ_j (p_j - y_j)²;  with g_j = ∂loss/∂p_j, the softmax Jacobian gives
    // ∂loss/∂z_j = p_j (g_j - Σ_k g_k p_k).
    var row_loss = 0.0;
    var g_dot_p = 0.0;
    for (var j = 0u; j < classes; j++) {
      let p = exp(logits[row + j] - max_logit) / sum;
      let e = p - select(0.0, 1.0, j == label);
      row_loss += e * e;
      g_dot_p += 2.0 * e * p;
    }
    loss_sum += row_loss / f32(classes);
#if ${train}
    let scale = 1.0 / (f32(classes) * f32(step.rows));
    for (var j = 0u; j < classes; j++) {
      let p = exp(logits[row + j] - max_logit) / sum;
      let g = 2.0 * (p - select(0.0, 1.0, j == label));
      dlogits[row + j] = p * (g - g_dot_p) * scale;
    }
#endif
#endif
#endif
  }

#if ${hasLabels}
  partial_loss[t] = loss_sum;
  partial_correct[t] = correct;
  for (var half = WORKGROUP / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (t < half) {
      partial_loss[t] += partial_loss[t + half];
      partial_correct[t] += partial_correct[t + half];
    }
  }
  if (t == 0u) {
    stats.loss_sum += partial_loss[0];
    stats.correct += partial_correct[0];
#if ${train}
    if (stats.diverged_at == 0u && !is_finite(partial_loss[0])) { stats.diverged_at = step.batch_start + 1u; }
#endif
  }
#endif
}

// NaN and ±infinity are the floats with every exponent bit set. (WGSL lets a compiler assume that x == x,
// so the bits are tested rather than the value.)
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}
