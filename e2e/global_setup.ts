// Before the GPU tests: the Deno project's harness bundle (e2e/deno_page.ts).
import { buildDenoHarness } from './deno_page';

export default async function globalSetup(): Promise<void> {
  await buildDenoHarness();
}
