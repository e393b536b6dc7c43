// The README's "Debugging a connection" example, run as printed (only the broker's port changed)
// in its own Node process against the reference broker: it must print the lines the README
// shows, and never the password.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { readmeBlock, repository } from '../support/readme';

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0 });
});
afterAll(() => broker.close());

test('the README packet log example prints what the README shows, without the password', async () => {
  const code = readmeBlock('## Debugging a connection', 'ts');
  const printed = readmeBlock('## Debugging a connection', 'text');
  expect(code).toContain("'mqtt://127.0.0.1:1883'");
  mkdirSync(`${repository}.cache`, { recursive: true });
  const file = `${repository}.cache/readme-debugging.ts`;
  writeFileSync(file, code.replace('mqtt://127.0.0.1:1883', `mqtt://127.0.0.1:${broker.port}`));
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', file], { cwd: repository, timeout: 20_000 });
  expect(stdout).toBe(printed);
  expect(stdout).not.toContain('token-123');
  expect(stdout).not.toContain('meter ');
});
