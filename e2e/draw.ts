// Drawing on the demo's pad as a person does, for the demo tests in any browser (Playwright's and
// puppeteer's mice both have move, down and up).

interface Mouse {
  move(x: number, y: number): Promise<unknown>;
  down(): Promise<unknown>;
  up(): Promise<unknown>;
}

/** A "1": one vertical stroke down the middle of the pad whose on-screen box is `box`. */
export async function drawOne(mouse: Mouse, box: { x: number; y: number; width: number; height: number }): Promise<void> {
  await mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await mouse.down();
  for (let i = 1; i <= 12; i++) await mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + i * 0.06));
  await mouse.up();
}
