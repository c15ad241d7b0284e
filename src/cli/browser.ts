// One headless Chromium page on a private Vite server, for the command-line tools: the page at `pagePath`
// is served from this repository, and requests to /__data__/NAME are answered from `files`.

import { readFileSync } from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import { createServer, type InlineConfig } from 'vite';
import { CHROMIUM_ARGS, findChromium } from './chromium';

export async function withPage<T>(pagePath: string, files: Map<string, string>, work: (page: Page) => Promise<T>,
  vite: InlineConfig = {}, browserArgs: string[] = []): Promise<T> {
  const executablePath = findChromium();
  const server = await createServer({
    configFile: false, logLevel: 'error', optimizeDeps: { noDiscovery: true }, ...vite,
    server: { ...vite.server, host: '127.0.0.1', port: 0, hmr: false, watch: null }, // no reloads if sources change mid-run
  });
  await server.listen();
  // handleSIGINT: false, so Ctrl-C reaches the tool's handler instead of closing the browser under the run.
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...browserArgs], headless: true, handleSIGINT: false });
  try {
    const page = await browser.newPage();
    await page.route('**/__data__/*', (route) => {
      const path = files.get(new URL(route.request().url()).pathname.split('/').pop()!);
      return path ? route.fulfill({ body: readFileSync(path) }) : route.fulfill({ status: 404 });
    });
    await page.goto(`${server.resolvedUrls!.local[0]}${pagePath}`);
    return await work(page);
  } finally {
    await browser.close();
    await server.close();
  }
}
