#!/usr/bin/env node
// `npm test`: type-check, build, then every test suite; ends with one line CI reads:
// "N passed, N failed". A step that fails before its tests can run counts as one failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const REPORT = '.cache/vitest-report.json';
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

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
