// The README's durable outbox example, run as printed (only the broker's address and the
// directory changed), in its own Node process, after a first client left messages owed in the
// journal: it must deliver them and say so.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect } from '@courier/node';
import { fileOutbox } from '@courier/outbox-store/fs';
import { readmeBlock, repository } from '../support/readme';

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0 });
});
afterAll(() => broker.close());

test('the README durable outbox example delivers what the last run left owed', async () => {
  const code = readmeBlock('## Durable outboxes', 'ts');
  expect(code).toContain("'mqtt://127.0.0.1:1883'");
  expect(code).toContain("'./outbox'");
  const dir = mkdtempSync(join(tmpdir(), 'courier-readme-outbox-'));
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const subscriber = await connect(url, { clientId: 'readme-outbox-sub' });
  const received: string[] = [];
  subscriber.on('message', ({ payload }) => received.push(new TextDecoder().decode(payload)));
  await subscriber.subscribe('vehicles/#', { qos: 1 });
  try {
    // The last run: three messages written to the journal, none acknowledged, then it stops.
    const dropped = broker.inject({ clientId: 'vehicle-42', direction: 'in', type: 'publish', action: 'drop', count: 3 });
    const last = await connect(url, { clientId: 'vehicle-42', clean: false, outbox: fileOutbox({ dir }) });
    for (let i = 1; i <= 3; i++) void last.publish('vehicles/42/log', `owed ${i}`, { qos: 1 }).catch(() => undefined);
    await expect.poll(() => dropped.hits).toBe(3); // sent, so written to the journal first
    await last.end({ force: true });

    mkdirSync(`${repository}.cache`, { recursive: true });
    const file = `${repository}.cache/readme-outbox.ts`;
    writeFileSync(file, code.replace('mqtt://127.0.0.1:1883', url).replace("'./outbox'", JSON.stringify(dir)));
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', file], {
      cwd: repository,
      timeout: 20_000,
    });
    expect(stdout).toBe('3 messages from the last run delivered\n');
    await expect.poll(() => received.length).toBe(4);
    expect(received.slice(0, 3).sort()).toEqual(['owed 1', 'owed 2', 'owed 3']);
  } finally {
    await subscriber.end();
    rmSync(dir, { recursive: true, force: true });
  }
});
