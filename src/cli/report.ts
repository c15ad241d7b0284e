// Text for the terminal: progress bar, per-epoch lines, the per-class table. Pure functions.

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

export function progressBar(epoch: number, epochs: number, step: number, steps: number, loss: number, width = 30): string {
  const filled = Math.round((step / steps) * width);
  return `epoch ${epoch}/${epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${steps} loss ${loss.toFixed(4)}`;
}

export interface EpochLine {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  validation?: number;
  samplesPerSecond: number;
  elapsed: number;
  remaining: number;
}

export function epochLine(e: EpochLine): string {
  const validation = e.validation === undefined ? '' : `  val ${percent(e.validation)}`;
  return `epoch ${String(e.epoch).padStart(String(e.epochs).length)}/${e.epochs}  loss ${e.loss.toFixed(4)}  train ${percent(e.accuracy)}${validation}` +
    `  ${Math.round(e.samplesPerSecond).toLocaleString('en-US')} samples/s  elapsed ${duration(e.elapsed)}  remaining ${duration(e.remaining)}`;
}

export function perClassTable(correct: number[], total: number[]): string {
  const lines = ['class  correct/total  accuracy'];
  correct.forEach((c, k) => {
    const accuracy = total[k] > 0 ? percent(c / total[k]) : '-';
    lines.push(`${String(k).padStart(5)}  ${`${c}/${total[k]}`.padStart(13)}  ${accuracy.padStart(8)}`);
  });
  return lines.join('\n');
}
