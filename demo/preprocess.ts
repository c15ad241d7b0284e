// A drawing turned into an MNIST-style digit, the way MNIST was made: the ink's bounding box scaled to fit
// a 20 × 20 box (keeping its aspect), then placed in 28 × 28 so that its centre of mass is at the centre.

/** `ink` (width × height, 0-255, row-major) -> 784 bytes, or undefined if there is no ink. */
export function preprocessDigit(ink: ArrayLike<number>, width: number, height: number): Uint8Array | undefined {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > 10) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  if (x1 < 0) return undefined;
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const scale = 20 / Math.max(bw, bh);
  const [tw, th] = [Math.max(1, Math.round(bw * scale)), Math.max(1, Math.round(bh * scale))];
  // Box filter: every source pixel adds to the target pixel it falls in.
  const sum = new Float64Array(tw * th);
  const count = new Float64Array(tw * th);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const t = Math.min(th - 1, Math.floor((y - y0) * scale)) * tw + Math.min(tw - 1, Math.floor((x - x0) * scale));
      sum[t] += ink[y * width + x];
      count[t] += 1;
    }
  }
  const small = sum.map((s, i) => (count[i] > 0 ? s / count[i] : 0));
  let [mass, cx, cy] = [0, 0, 0];
  small.forEach((v, i) => {
    mass += v;
    cx += v * (i % tw);
    cy += v * Math.floor(i / tw);
  });
  // Offsets that put the centre of mass at (13.5, 13.5), kept inside the 28 × 28 frame.
  const dx = Math.min(28 - tw, Math.max(0, Math.round(13.5 - cx / mass)));
  const dy = Math.min(28 - th, Math.max(0, Math.round(13.5 - cy / mass)));
  const out = new Uint8Array(784);
  small.forEach((v, i) => (out[(dy + Math.floor(i / tw)) * 28 + dx + (i % tw)] = Math.round(Math.min(255, v))));
  return out;
}
