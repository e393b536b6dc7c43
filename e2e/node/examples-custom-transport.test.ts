// examples/custom-transport: a Transport and a Clock written only against @courier/core's port
// interfaces (docs/ports.md). Each runs the port's contract suite, as every implementation does,
// and the example's main.mjs, run as a user runs it, connects through them to the reference broker
// and gets its QoS 1 and QoS 2 acks.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import type { Clock, Transport } from '@courier/core';
import { clockContract, transportContract } from '@courier/core/testing';
import { deadPort, startPeerServer } from '../../packages/node-transport/test/peer-servers';
import { repository } from '../support/readme';

const EXAMPLE = `${repository}examples/custom-transport/`;
// Plain JavaScript files (JSDoc-typed against the ports), loaded as the example loads them.
const { socketTransport } = (await import(`${EXAMPLE}socket-transport.mjs`)) as { socketTransport: (address: { host: string; port: number }) => Transport };
const { monotonicClock } = (await import(`${EXAMPLE}monotonic-clock.mjs`)) as { monotonicClock: () => Clock };

transportContract('examples/custom-transport socketTransport', async () => {
  const server = await startPeerServer('tcp');
  return {
    transport: socketTransport({ host: '127.0.0.1', port: server.port }),
    unreachable: socketTransport({ host: '127.0.0.1', port: await deadPort() }),
    nextPeer: () => server.nextPeer(),
    cleanup: () => server.close(),
  };
});

clockContract('examples/custom-transport monotonicClock', () => ({
  clock: monotonicClock(),
  advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 5)),
}));

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0 });
});
afterAll(() => broker.close());

test('main.mjs connects through the custom transport and clock, publishes at QoS 1 and 2 with their acks, and receives both', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', 'examples/custom-transport/main.mjs'], {
    cwd: repository,
    env: { ...process.env, BROKER_HOST: '127.0.0.1', BROKER_PORT: String(broker.port) },
    timeout: 20_000,
  });
  expect(stdout.trim().split('\n')).toEqual([
    `connected to 127.0.0.1:${broker.port} through socketTransport`,
    expect.stringMatching(/^published at QoS 1: the broker acknowledged packet id \d+ \(PUBACK\)$/),
    expect.stringMatching(/^published at QoS 2: the broker acknowledged packet id \d+ \(PUBCOMP\)$/),
    'received custom/qos1 at QoS 1: hello at QoS 1',
    'received custom/qos2 at QoS 2: hello at QoS 2',
    'ended',
  ]);
});

test('the call docs/ports.md shows is the one main.mjs makes', () => {
  const doc = readFileSync(`${repository}docs/ports.md`, 'utf8');
  const shown = doc.match(/```js\n([\s\S]*?)```/)?.[1];
  expect(shown).toBeDefined();
  expect(readFileSync(`${EXAMPLE}main.mjs`, 'utf8')).toContain(shown!);
});
