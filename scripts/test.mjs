#!/usr/bin/env node
// `npm test`: type-check, build, then every test suite (vitest: unit, integration, end-to-end in
// Node and unit tests in Chromium; Playwright: end-to-end in Chromium); ends with one line CI reads:
// "N passed, N failed". A step that fails before its tests can run counts as one failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const REPORT = '.cache/vitest-report.json';
const PLAYWRIGHT_REPORT = '.cache/playwright-report.json';
let passed = 0;
let failed = 0;

function run(title, command, args) {
  console.log(`\n== ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status === 0;
}

function step(title, command, args) {
  if (run(title, command, args)) return true;
  console.log(`== ${title} failed`);
  failed += 1;
  return false;
}

mkdirSync('.cache', { recursive: true });
const typed = step('type check', 'npx', ['tsc', '-b']);
const built = step('build', 'npx', ['rollup', '-c', 'rollup.config.mjs', '--silent']);

if (typed && built) {
  rmSync(REPORT, { force: true });
  const ok = run('unit and integration tests', 'npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${REPORT}`,
  ]);
  try {
    const report = JSON.parse(readFileSync(REPORT, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A suite that fails to load has no tests to count: count it, or it would pass silently.
    failed += report.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
    if (!ok && report.numFailedTests === 0 && failed === 0) failed += 1;
  } catch {
    console.log('== the test report is missing: vitest did not finish');
    failed += 1;
  }
}

if (typed && built) {
  // Browser end-to-end tests: Playwright driving Chromium through the built packages.
  rmSync(PLAYWRIGHT_REPORT, { force: true });
  const ok = run('browser end-to-end tests', 'npx', ['playwright', 'test', '-c', 'e2e/browser/playwright.config.ts']);
  try {
    const { stats } = JSON.parse(readFileSync(PLAYWRIGHT_REPORT, 'utf8'));
    passed += stats.expected;
    failed += stats.unexpected + stats.flaky;
    if (!ok && stats.unexpected + stats.flaky === 0) failed += 1;
  } catch {
    console.log('== the Playwright report is missing: the browser tests did not run');
    failed += 1;
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
