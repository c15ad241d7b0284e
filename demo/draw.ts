// The drawing pad: mouse, touch and pen through pointer events, white ink on black like MNIST.
// After each stroke segment (at most once a frame) it hands the preprocessed 28 × 28 digit to onDigit.
// show() puts a 28 × 28 digit (e.g. a test digit, for keyboard users) on the pad and hands it on as it is.

import { preprocessDigit } from './preprocess';

export interface Pad {
  clear(): void;
  show(digit: Uint8Array): void;
  /** The digit on the pad, as last handed to onDigit. */
  readonly digit: Uint8Array | undefined;
}

export function drawingPad(canvas: HTMLCanvasElement, onDigit: (digit: Uint8Array | undefined) => void): Pad {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  let last: [number, number] | undefined;
  let pending = false;
  let digit: Uint8Array | undefined;
  const hand = (next: Uint8Array | undefined) => onDigit((digit = next));

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
      hand(preprocessDigit(ink, canvas.width, canvas.height));
    });
  };
  const clear = () => {
    ctx.fillStyle = 'black';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    hand(undefined);
  };
  const show = (pixels: Uint8Array) => {
    const image = new ImageData(28, 28);
    pixels.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
    const small = new OffscreenCanvas(28, 28);
    small.getContext('2d')!.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    hand(pixels);
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
  return { clear, show, get digit() { return digit; } };
}
