// The README's Node quick start, run as printed (only the broker's address changed), in its own
// Node process against the reference broker, so that it cannot rot.
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

test('the README quick start for a Node service runs and prints the reading it published', async () => {
  const code = readmeBlock('### A Node service', 'js');
  expect(code).toContain("'mqtt://127.0.0.1:1883'");
  mkdirSync(`${repository}.cache`, { recursive: true });
  // main.mjs, as the README says to save it; tsx only maps @courier/* to their sources.
  const file = `${repository}.cache/main.mjs`;
  writeFileSync(file, code.replace('mqtt://127.0.0.1:1883', `mqtt://127.0.0.1:${broker.port}`));
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', file], {
    cwd: repository,
    timeout: 20_000,
  });
  expect(stdout).toBe('readings/meter-7 {"kWh":12.5}\n');
});
