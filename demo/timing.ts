// The GPU time panel: each op of one training step (from fit's onProfile, timestamp-query) as a horizontal
// bar with its milliseconds and share of the step, in the order the step runs them; samples/s beside it.

import type { StepProfile } from '../src/index';

/** The wall-clock rate, refreshed with each batch. */
export function renderRate(panel: HTMLElement, samplesPerSecond: number): void {
  panel.querySelector('.rate')!.textContent = `${Math.round(samplesPerSecond).toLocaleString()} samples/s (wall clock)`;
}

/** `layerTypes` name the ops: layers[3].forward reads "layer 4, dense: forward". */
export function renderProfile(panel: HTMLElement, profile: StepProfile, layerTypes: string[]): void {
  const summary = panel.querySelector<HTMLElement>('.summary')!;
  const list = panel.querySelector<HTMLOListElement>('ol')!;
  if (!profile.supported) {
    summary.textContent = `GPU times per op are not available: ${profile.reason}.`;
    list.replaceChildren();
    return;
  }
  const total = profile.ops.reduce((sum, o) => sum + o.ms, 0);
  const longest = Math.max(...profile.ops.map((o) => o.ms));
  summary.textContent = `One step (epoch ${profile.epoch}, step ${profile.step}): ${total.toFixed(2)} ms of GPU time in ${profile.ops.length} ops.`;
  list.replaceChildren(...profile.ops.map(({ op, ms }) => {
    const item = document.createElement('li');
    item.dataset.op = op;
    item.dataset.ms = String(ms);
    const [name, bar, value] = ['span', 'span', 'span'].map((tag) => document.createElement(tag));
    name.textContent = op.replace(/^layers\[(\d+)\]\.(.*)$/, (_, l, what) => `layer ${Number(l) + 1}, ${layerTypes[Number(l)]}: ${what}`);
    bar.className = 'bar';
    bar.style.width = `${(100 * ms) / longest}%`;
    value.textContent = `${ms.toFixed(2)} ms · ${((100 * ms) / total).toFixed(1)}%`;
    item.append(name, bar, value);
    return item;
  }));
}
