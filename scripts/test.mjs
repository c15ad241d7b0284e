// `npm test`: builds the library, runs the unit tests (Vitest) and the GPU tests (Playwright: in headless
// Chromium, and the kernel and training cases again in Deno), prints each implementation's counts, then one line
// over all of them: "N passed, N failed" (also saved to test-results/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' }).status;
const IMPLEMENTATIONS = { chromium: 'Chromium (Dawn, Tint)', deno: 'Deno (wgpu, naga)', firefox: 'Firefox (wgpu, naga)' };
const readJson = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined);

rmSync('test-results', { recursive: true, force: true });
mkdirSync('test-results', { recursive: true });
let passed = 0;
let failed = 0;

if (run('npm', ['run', 'build', '--silent']) !== 0) {
  console.error('build failed');
  failed += 1;
}

run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit.json']);
const unit = readJson('test-results/unit.json');
if (unit) {
  console.log(`Unit tests (Node; a few on Dawn in Node): ${unit.numPassedTests} passed, ${unit.numFailedTests} failed`);
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
} else {
  console.error('unit tests produced no report');
  failed += 1;
}

run('npx', ['playwright', 'test']);
const e2e = readJson('test-results/e2e.json');
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky;
  failed += e2e.stats.unexpected;
  // Each WebGPU implementation's own counts (playwright.config.ts's projects).
  const byProject = new Map();
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests) {
        const counts = byProject.get(t.projectName) ?? { passed: 0, failed: 0 };
        if (t.status === 'expected' || t.status === 'flaky') counts.passed += 1;
        else if (t.status === 'unexpected') counts.failed += 1;
        byProject.set(t.projectName, counts);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of e2e.suites ?? []) walk(suite);
  for (const [project, counts] of byProject) console.log(`GPU tests in ${IMPLEMENTATIONS[project] ?? project}: ${counts.passed} passed, ${counts.failed} failed`);
  for (const error of e2e.errors ?? []) console.error(`GPU tests: ${error.message}`);
  failed += (e2e.errors ?? []).length;
} else {
  console.error('GPU tests produced no report (is Chromium installed? see README)');
  failed += 1;
}

const summary = `${passed} passed, ${failed} failed`;
writeFileSync('test-results/summary.txt', `${summary}\n`);
console.log(summary);
process.exit(failed === 0 ? 0 : 1);
