// The tap and fault example in README.md, run as a user would run it, so that it cannot rot.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

test('the README fault injection example runs and prints what the README says', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const example = /```ts\n(import mqtt[\s\S]*?broker\.inject[\s\S]*?)```/.exec(readme)?.[1];
  const printed = /\nprints\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  expect(printed).toBeDefined();
  mkdirSync(`${root}.cache`, { recursive: true });
  const file = `${root}.cache/readme-example.ts`;
  writeFileSync(file, example!);
  const output = execFileSync(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', file], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(output).toBe(printed);
}, 30_000);
