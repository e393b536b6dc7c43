// The codec example in README.md, run as a user would run it, so that it cannot rot.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('the README codec example runs and prints what it promises', () => {
  const readme = readFileSync(`${repo}README.md`, 'utf8');
  const example = readme.match(/```ts\n(import [^\n]*'@courier\/core';[\s\S]*?)```/)?.[1];
  expect(example).toBeDefined();
  mkdirSync(`${repo}packages/core/.cache`, { recursive: true });
  const file = `${repo}packages/core/.cache/readme-example.ts`;
  writeFileSync(file, example!);
  const output = execFileSync(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', file], {
    cwd: repo,
    encoding: 'utf8',
  });
  expect(output).toMatch(/^\[\]\n/);
  expect(output).toMatch(/topic: 'sensors\/7\/temp'/);
  expect(output).toMatch(/properties: \{ messageExpiryInterval: 60 \}/);
  expect(output).toMatch(/^90 a PUBLISH topic contains a wildcard$/m);
});
