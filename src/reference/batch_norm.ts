// The CPU oracle for batch normalization: plain loops in float64 over (rows, channels, positions) values, stored
// as PyTorch stores them (positions = height · width, 1 for a flat input), from the definitions.

type Numbers = ArrayLike<number>;

/** Batch normalization's statistics: per channel of (rows, channels, positions) values, their mean and biased variance. */
export function batchStatistics(x: Numbers, rows: number, channels: number, positions: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const n = rows * positions;
  const each = (visit: (c: number, v: number) => void) => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < channels; c++) for (let p = 0; p < positions; p++) visit(c, x[(r * channels + c) * positions + p]);
  };
  each((c, v) => (mean[c] += v / n));
  each((c, v) => (variance[c] += (v - mean[c]) ** 2 / n));
  return { mean, variance };
}

/** γ · (x - mean) / sqrt(variance + ε) + β, per channel, for (rows, channels, positions) values. */
export function batchNormForward(x: Numbers, rows: number, channels: number, positions: number, gamma: Numbers, beta: Numbers,
  mean: Numbers, variance: Numbers, epsilon: number): Float64Array {
  return Float64Array.from({ length: rows * channels * positions }, (_, i) => {
    const c = Math.floor(i / positions) % channels;
    return (gamma[c] * (x[i] - mean[c])) / Math.sqrt(variance[c] + epsilon) + beta[c];
  });
}

/** The gradients of batch normalization with the batch's statistics, from dy = ∂loss/∂(its output). */
export function batchNormBackward(x: Numbers, dy: Numbers, rows: number, channels: number, positions: number, gamma: Numbers, epsilon: number) {
  const { mean, variance } = batchStatistics(x, rows, channels, positions);
  const n = rows * positions;
  const channel = (i: number) => Math.floor(i / positions) % channels;
  const xHat = (i: number) => (x[i] - mean[channel(i)]) / Math.sqrt(variance[channel(i)] + epsilon);
  const dgamma = new Float64Array(channels);
  const dbeta = new Float64Array(channels);
  for (let i = 0; i < rows * channels * positions; i++) {
    dgamma[channel(i)] += dy[i] * xHat(i);
    dbeta[channel(i)] += dy[i];
  }
  const dx = Float64Array.from({ length: rows * channels * positions }, (_, i) => {
    const c = channel(i);
    return (gamma[c] / Math.sqrt(variance[c] + epsilon) / n) * (n * dy[i] - dbeta[c] - xHat(i) * dgamma[c]);
  });
  return { dx, dgamma, dbeta };
}
