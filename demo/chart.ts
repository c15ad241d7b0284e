// A small line chart on a canvas: a few series, autoscaled axes, redrawn on each point. Our own ~60
// lines rather than a chart library: two charts of at most a few thousand points need nothing more.

export class LineChart {
  private readonly series: { color: string; points: [number, number][] }[];

  constructor(private readonly canvas: HTMLCanvasElement, colors: string[], private readonly fixedY?: [number, number]) {
    this.series = colors.map((color) => ({ color, points: [] }));
    this.draw();
  }

  add(series: number, x: number, y: number): void {
    this.series[series].points.push([x, y]);
    this.canvas.dataset.points = String(this.series.reduce((n, s) => n + s.points.length, 0));
    this.draw();
  }

  clear(): void {
    for (const s of this.series) s.points.length = 0;
    this.canvas.dataset.points = '0';
    this.draw();
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d')!;
    const { width, height } = this.canvas;
    const pad = { left: 44, right: 10, top: 10, bottom: 22 };
    const all = this.series.flatMap((s) => s.points);
    const xMax = Math.max(1, ...all.map(([x]) => x));
    const [yMin, yMax] = this.fixedY ?? [0, Math.max(1e-6, ...all.map(([, y]) => y)) * 1.05];
    const px = (x: number) => pad.left + (x / xMax) * (width - pad.left - pad.right);
    const py = (y: number) => height - pad.bottom - ((y - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#5b6475';
    ctx.strokeStyle = '#e5e8ef';
    for (let i = 0; i <= 4; i++) {
      const y = yMin + ((yMax - yMin) * i) / 4;
      ctx.beginPath();
      ctx.moveTo(pad.left, py(y));
      ctx.lineTo(width - pad.right, py(y));
      ctx.stroke();
      ctx.fillText(y.toFixed(yMax < 2 ? 2 : 1), 4, py(y) + 4);
    }
    ctx.fillText(String(Math.round(xMax)), width - pad.right - 24, height - 6);
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      s.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
      ctx.stroke();
      if (s.points.length === 1) ctx.fillRect(px(s.points[0][0]) - 2, py(s.points[0][1]) - 2, 4, 4);
    }
  }
}
