// The CPU oracle: one plain-loop twin for every GPU kernel in shaders/, in float64. Slow on purpose and
// written to be obviously right; the GPU tests compare against these with explicit tolerances.

import type { Activation } from '../ops/activation';
import type { LossName } from '../ops/softmax';
import type { OptimizerSettings } from '../ops/optimizer';
import type { Augmentation } from '../ops/gather';

type Numbers = ArrayLike<number>;

/** y = act(x) */
export function activate(x: number, act: Activation): number {
  switch (act.name) {
    case 'identity': return x;
    case 'relu': return Math.max(x, 0);
    case 'leaky_relu': return x > 0 ? x : act.alpha * x;
    case 'elu': return x > 0 ? x : act.alpha * (Math.exp(x) - 1);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
  }
}

/** act'(x) from y = act(x) */
export function activateGrad(y: number, act: Activation): number {
  switch (act.name) {
    case 'identity': return 1;
    case 'relu': return y > 0 ? 1 : 0;
    case 'leaky_relu': return y > 0 ? 1 : act.alpha;
    case 'elu': return y > 0 ? 1 : y + act.alpha;
    case 'sigmoid': return y * (1 - y);
    case 'tanh': return 1 - y * y;
  }
}

/** out (rows, nOut) = act(inp (rows, nIn) · weight (nOut, nIn)ᵀ + bias (nOut)) */
export function matmulForward(inp: Numbers, weight: Numbers, bias: Numbers, rows: number, nIn: number, nOut: number, act: Activation): Float64Array {
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      let sum = bias[o];
      for (let i = 0; i < nIn; i++) sum += inp[r * nIn + i] * weight[o * nIn + i];
      out[r * nOut + o] = activate(sum, act);
    }
  }
  return out;
}

/** dinp (rows, nIn) = (dout (rows, nOut) · weight (nOut, nIn)) ⊙ act'(inp), inp being the previous layer's output */
export function matmulBackwardInput(dout: Numbers, weight: Numbers, inp: Numbers, rows: number, nIn: number, nOut: number, act: Activation): Float64Array {
  const dinp = new Float64Array(rows * nIn);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < nIn; i++) {
      let sum = 0;
      for (let o = 0; o < nOut; o++) sum += dout[r * nOut + o] * weight[o * nIn + i];
      dinp[r * nIn + i] = sum * activateGrad(inp[r * nIn + i], act);
    }
  }
  return dinp;
}

/** dweight (nOut, nIn) = dout (rows, nOut)ᵀ · inp (rows, nIn) */
export function matmulBackwardWeight(dout: Numbers, inp: Numbers, rows: number, nIn: number, nOut: number): Float64Array {
  const dweight = new Float64Array(nOut * nIn);
  for (let o = 0; o < nOut; o++) {
    for (let i = 0; i < nIn; i++) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += dout[r * nOut + o] * inp[r * nIn + i];
      dweight[o * nIn + i] = sum;
    }
  }
  return dweight;
}

/** dbias (nOut) = column sums of dout (rows, nOut) */
export function biasGrad(dout: Numbers, rows: number, nOut: number): Float64Array {
  const dbias = new Float64Array(nOut);
  for (let r = 0; r < rows; r++) for (let o = 0; o < nOut; o++) dbias[o] += dout[r * nOut + o];
  return dbias;
}

/**
 * For each block of `block` rows (byRows) or `block` columns of inp (rows, features), one bit per column (or
 * row), set where some element of the block there is nonzero: (blocks, words of 32 bits).
 */
export function nonzeroMask(inp: Numbers, rows: number, features: number, byRows: boolean, block: number): Uint32Array {
  const [blocked, bits] = byRows ? [rows, features] : [features, rows];
  const words = Math.ceil(bits / 32);
  const mask = new Uint32Array(Math.ceil(blocked / block) * words);
  for (let m = 0; m < blocked; m++) {
    for (let k = 0; k < bits; k++) {
      const value = byRows ? inp[m * features + k] : inp[k * features + m];
      if (value !== 0) mask[Math.floor(m / block) * words + Math.floor(k / 32)] |= 1 << k % 32;
    }
  }
  return mask;
}

/** probs (rows, classes) = softmax of each row of logits, computed stably (max subtracted) */
export function softmax(logits: Numbers, rows: number, classes: number): Float64Array {
  const probs = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, logits[r * classes + j]);
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(logits[r * classes + j] - max);
    for (let j = 0; j < classes; j++) probs[r * classes + j] = Math.exp(logits[r * classes + j] - max) / sum;
  }
  return probs;
}

/** Index of the first largest value of row r. */
export function argmax(values: Numbers, r: number, classes: number): number {
  let best = 0;
  for (let j = 1; j < classes; j++) if (values[r * classes + j] > values[r * classes + best]) best = j;
  return best;
}

export interface LossResult {
  /** Σ over rows of each row's loss (the mean is lossSum / rows). */
  lossSum: number;
  /** Rows whose argmax equals the label. */
  correct: number;
  /** ∂(lossSum / rows)/∂logits, (rows, classes). */
  dlogits: Float64Array;
}

/** Softmax then cross-entropy (-log p[label]) or mse (mean over classes of (p - onehot)²). */
export function softmaxLoss(logits: Numbers, labels: Numbers, rows: number, classes: number, loss: LossName): LossResult {
  const probs = softmax(logits, rows, classes);
  const logSoftmax = (r: number, j: number) => { // log p_j without forming p_j, so huge logits stay finite
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[r * classes + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[r * classes + k] - max);
    return logits[r * classes + j] - max - Math.log(sum);
  };
  const dlogits = new Float64Array(rows * classes);
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    if (argmax(logits, r, classes) === label) correct++;
    const p = (j: number) => probs[r * classes + j];
    const y = (j: number) => (j === label ? 1 : 0);
    if (loss === 'cross-entropy') {
      lossSum += -logSoftmax(r, label);
      for (let j = 0; j < classes; j++) dlogits[r * classes + j] = (p(j) - y(j)) / rows;
    } else {
      let rowLoss = 0;
      let gDotP = 0; // Σ_k g_k p_k with g_k = ∂(row loss · classes)/∂p_k
      for (let j = 0; j < classes; j++) {
        rowLoss += (p(j) - y(j)) ** 2;
        gDotP += 2 * (p(j) - y(j)) * p(j);
      }
      lossSum += rowLoss / classes;
      for (let j = 0; j < classes; j++) {
        dlogits[r * classes + j] = (p(j) * (2 * (p(j) - y(j)) - gDotP)) / (classes * rows);
      }
    }
  }
  return { lossSum, correct, dlogits };
}

/** Augmentation for one step: the kernel's settings plus the step's seed. */
export interface ReferenceAugmentation extends Augmentation {
  seed: number;
}

/** PCG's output permutation, as in shaders/gather.wgsl. */
export function hash(x: number): number {
  const state = (Math.imul(x >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Sample `sample` of `images` (`features` values, channel by channel) shifted and rotated as the kernel does for batch row r. */
function augmentedImage(images: Uint8Array | Float32Array, sample: number, features: number, r: number, a: ReferenceAugmentation, scale: number): Float64Array {
  const h0 = hash((a.seed ^ hash(r)) >>> 0);
  const h1 = hash(h0);
  const h2 = hash(h1);
  const span = 2 * a.maxShift + 1;
  const [dx, dy] = [(h0 % span) - a.maxShift, (h1 % span) - a.maxShift];
  const angle = ((h2 >>> 8) / 16777216 * 2 - 1) * a.maxAngle;
  const [cx, cy] = [(a.width - 1) / 2, (a.height - 1) / 2];
  const plane = a.width * a.height;
  const mix = (p: number, q: number, t: number) => p * (1 - t) + q * t;
  const out = new Float64Array(features);
  for (let c = 0; c < features / plane; c++) {
    const pixel = (x: number, y: number) =>
      x < 0 || y < 0 || x >= a.width || y >= a.height ? 0 : images[sample * features + c * plane + y * a.width + x] * scale;
    for (let q = 0; q < plane; q++) {
      const px = (q % a.width) - cx - dx;
      const py = Math.floor(q / a.width) - cy - dy;
      const sx = Math.cos(angle) * px + Math.sin(angle) * py + cx;
      const sy = -Math.sin(angle) * px + Math.cos(angle) * py + cy;
      const [x, y] = [Math.floor(sx), Math.floor(sy)];
      const [tx, ty] = [sx - x, sy - y];
      out[c * plane + q] = mix(mix(pixel(x, y), pixel(x + 1, y), tx), mix(pixel(x, y + 1), pixel(x + 1, y + 1), tx), ty);
    }
  }
  return out;
}

/** inp (rows, features) and labels (rows) from dataset rows order[start ..], bytes scaled by 1/255. */
export function gather(images: Uint8Array | Float32Array, labels: Uint8Array, order: Numbers, start: number, rows: number,
  features: number, augment?: ReferenceAugmentation) {
  const inp = new Float64Array(rows * features);
  const batchLabels = new Uint32Array(rows);
  const scale = images instanceof Uint8Array ? 1 / 255 : 1;
  for (let r = 0; r < rows; r++) {
    const sample = order[start + r];
    if (augment) inp.set(augmentedImage(images, sample, features, r, augment, scale), r * features);
    else for (let f = 0; f < features; f++) inp[r * features + f] = images[sample * features + f] * scale;
    batchLabels[r] = labels[sample];
  }
  return { inp, batchLabels };
}

/** Optimizer state: velocity for SGD with momentum, m and v for Adam. */
export interface OptimizerState {
  velocity?: Float64Array;
  m?: Float64Array;
  v?: Float64Array;
}

/** Update number t (1, 2, ...) of `param` in place; l2 applies to indices below weightCount (the weights). */
export function optimizerUpdate(param: Float64Array, grad: Numbers, weightCount: number, state: OptimizerState,
  t: number, learningRate: number, s: OptimizerSettings): void {
  const c1 = 1 - s.beta1 ** t;
  const c2 = 1 - s.beta2 ** t;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] + (i < weightCount ? s.l2 * param[i] : 0);
    if (s.optimizer === 'adam') {
      const m = (state.m ??= new Float64Array(param.length));
      const v = (state.v ??= new Float64Array(param.length));
      m[i] = s.beta1 * m[i] + (1 - s.beta1) * g;
      v[i] = s.beta2 * v[i] + (1 - s.beta2) * g * g;
      param[i] -= (learningRate * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + s.epsilon);
    } else if (s.momentum > 0) {
      const velocity = (state.velocity ??= new Float64Array(param.length));
      velocity[i] = s.momentum * velocity[i] + g;
      param[i] -= learningRate * velocity[i];
    } else {
      param[i] -= learningRate * g;
    }
  }
}
