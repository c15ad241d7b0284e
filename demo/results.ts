// The views filled after training or drawing: confusion matrix, misclassified gallery, probability bars.

/** matrix[t][p]: test digits of true class t predicted as p; cells shaded by count, counts on hover. */
export function renderConfusion(table: HTMLTableElement, matrix: number[][]): void {
  const max = Math.max(1, ...matrix.flatMap((row, t) => row.filter((_, p) => p !== t)));
  const head = `<tr><th scope="col">true \\ pred</th>${matrix.map((_, p) => `<th scope="col">${p}</th>`).join('')}</tr>`;
  const rows = matrix.map((row, t) => `<tr><th scope="row">${t}</th>${row.map((count, p) => {
    const shade = p === t ? `rgba(37, 99, 235, ${count > 0 ? 0.25 : 0})` : `rgba(234, 122, 26, ${count / max})`;
    return `<td data-count="${count}" title="true ${t}, predicted ${p}: ${count}" style="background:${shade}">${count || ''}</td>`;
  }).join('')}</tr>`);
  table.innerHTML = head + rows.join('');
}

export interface Miss {
  pixels: Uint8Array; // 28 × 28
  truth: number;
  predicted: number;
  confidence: number;
}

export function renderGallery(gallery: HTMLElement, misses: Miss[]): void {
  gallery.replaceChildren(...misses.map((m) => {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [28, 28];
    const image = new ImageData(28, 28);
    m.pixels.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
    canvas.getContext('2d')!.putImageData(image, 0, 0);
    canvas.setAttribute('aria-label', `a ${m.truth} read as ${m.predicted}`);
    const caption = document.createElement('figcaption');
    caption.textContent = `${m.truth} → ${m.predicted} (${Math.round(m.confidence * 100)}%)`;
    figure.append(canvas, caption);
    return figure;
  }));
}

export function renderProbabilities(list: HTMLOListElement, probs: ArrayLike<number> | undefined): void {
  const values = probs ? Array.from(probs) : new Array<number>(10).fill(0);
  const top = probs ? values.indexOf(Math.max(...values)) : -1;
  list.innerHTML = values.map((p, k) =>
    `<li class="${k === top ? 'top' : ''}" data-prob="${p}"><span>${k}</span><span class="bar" style="width:${(p * 100).toFixed(1)}%"></span><span>${(p * 100).toFixed(1)}%</span></li>`).join('');
}
