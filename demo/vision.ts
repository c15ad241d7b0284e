// What a ConvNet sees, drawn as small greyscale images (ConvNetJS's views): the first convolution's filters,
// and for one digit the feature maps of every convolution and pooling layer. Each image is scaled to its own
// range, black the lowest value and white the highest.

import type { Inspection } from '../src/index';

/** A canvas of width × height pixels (values row-major), shown `zoom` times larger, pixelated. */
function grey(values: ArrayLike<number>, width: number, height: number, zoom: number, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [width, height];
  canvas.style.width = `${width * zoom}px`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  let [low, high] = [Infinity, -Infinity];
  for (let i = 0; i < width * height; i++) [low, high] = [Math.min(low, values[i]), Math.max(high, values[i])];
  const image = new ImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = high > low ? Math.round((255 * (values[i] - low)) / (high - low)) : 0;
    image.data.set([v, v, v, 255], i * 4);
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return canvas;
}

/** The first convolution's filters: weight (filters, in channels, kh, kw); each input channel of a filter side by side. */
export function renderFilters(container: HTMLElement, weight: Float32Array, [filters, channels, kh, kw]: number[]): void {
  const zoom = Math.max(2, Math.round(40 / Math.max(kh, kw)));
  container.replaceChildren(...Array.from({ length: filters * channels }, (_, i) =>
    grey(weight.subarray(i * kh * kw, (i + 1) * kh * kw), kw, kh, zoom, `filter ${Math.floor(i / channels) + 1}${channels > 1 ? `, channel ${(i % channels) + 1}` : ''}`)));
  container.dataset.filters = String(filters);
}

const MAPPED = new Set(['conv2d', 'maxPool2d', 'avgPool2d']);

/** One row per convolution or pooling layer: its name and shape, then one image per channel; without a digit, a hint. */
export function renderFeatureMaps(container: HTMLElement, inspection: Inspection | undefined): void {
  if (!inspection) {
    const hint = document.createElement('p');
    hint.className = 'note';
    hint.textContent = 'Draw a digit or press Sample digit.';
    container.replaceChildren(hint);
    container.dataset.layers = '0';
    return;
  }
  const rows = inspection.layers.flatMap((layer, l) => {
    if (!MAPPED.has(layer.type)) return [];
    const [channels, height, width] = layer.shape;
    const row = document.createElement('figure');
    row.className = 'maps';
    const caption = document.createElement('figcaption');
    caption.textContent = `layer ${l + 1}, ${layer.type}: ${channels} maps of ${height} × ${width}`;
    const zoom = Math.max(2, Math.round(48 / Math.max(height, width)));
    const images = Array.from({ length: channels }, (_, c) =>
      grey(layer.values.subarray(c * height * width, (c + 1) * height * width), width, height, zoom, `layer ${l + 1} map ${c + 1}`));
    row.append(caption, ...images);
    return [row];
  });
  container.replaceChildren(...rows);
  container.dataset.layers = String(rows.length);
}
