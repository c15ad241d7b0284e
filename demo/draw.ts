// The drawing pad: mouse, touch and pen through pointer events, white ink on black like MNIST.
// After each stroke segment (at most once a frame) it hands the preprocessed 28 × 28 digit to onDigit.

import { preprocessDigit } from './preprocess';

export function drawingPad(canvas: HTMLCanvasElement, onDigit: (digit: Uint8Array | undefined) => void): { clear: () => void } {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  let last: [number, number] | undefined;
  let pending = false;

  const point = (event: PointerEvent): [number, number] => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * canvas.width, ((event.clientY - box.top) / box.height) * canvas.height];
  };
  const publish = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const ink = new Uint8Array(canvas.width * canvas.height).map((_, i) => data[i * 4]);
      onDigit(preprocessDigit(ink, canvas.width, canvas.height));
    });
  };
  const clear = () => {
    ctx.fillStyle = 'black';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    onDigit(undefined);
  };

  canvas.addEventListener('pointerdown', (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!last) return;
    const next = point(event);
    ctx.strokeStyle = 'white';
    ctx.lineWidth = canvas.width / 14;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...next);
    ctx.stroke();
    last = next;
    publish();
  });
  for (const end of ['pointerup', 'pointercancel'] as const) canvas.addEventListener(end, () => (last = undefined));
  clear();
  return { clear };
}
