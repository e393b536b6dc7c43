// @courier/browser in Cloudflare's workerd (npm `workerd`), as a Worker would use it: the test
// bundles e2e/node/runtimes/workerd/worker.mjs from the built dist/ with esbuild (the conditions
// wrangler uses), serves it with workerd on a loopback port, and asks it over HTTP to connect to a
// reference broker over the Worker's outgoing WebSocket, publish at QoS 1 and 2 and await the
// acks. The broker's packet tap and a subscriber of the test's own check what the Worker says.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect, type MqttClient } from '@courier/node';
import { ChildScript } from '../support/child-process';
import { freePort } from '../support/free-port';
import { repository } from '../support/readme';

const SOURCE = join(repository, 'e2e/node/runtimes/workerd');
const WORKERD = join(repository, 'node_modules/.bin/workerd');

let broker: Broker;
let workerd: ChildScript;
let folder: string;
let workerUrl: string;
let subscriber: MqttClient;
const packets: string[] = [];

beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  broker.tap(({ clientId, direction, packet }) => {
    if (clientId.startsWith('workerd-')) packets.push(`${direction} ${packet.type}`);
  });
  folder = mkdtempSync(join(tmpdir(), 'courier-workerd-'));
  copyFileSync(join(SOURCE, 'config.capnp'), join(folder, 'config.capnp'));
  // From dist/, not the sources: the package as a Worker project installs it.
  await build({
    entryPoints: [join(SOURCE, 'worker.mjs')],
    outfile: join(folder, 'worker.bundle.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    logLevel: 'silent',
  });
  const port = await freePort();
  workerd = new ChildScript(join(folder, 'config.capnp'), ['--socket-addr', `http=127.0.0.1:${port}`], [WORKERD, 'serve']);
  workerUrl = `http://127.0.0.1:${port}/`;
  // workerd prints nothing once it listens: its socket answering is the sign.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await fetch(workerUrl, { method: 'HEAD' }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`workerd did not listen on ${workerUrl} within 20 s: ${workerd.errors}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  subscriber = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'workerd-test-sub' });
  await subscriber.subscribe('workerd/out', { qos: 1 });
}, 60_000);

afterAll(async () => {
  await subscriber?.end({ force: true });
  await workerd?.kill();
  await broker?.close();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

interface WorkerAnswer {
  host: Record<string, string>;
  warnings?: string[];
  granted?: number[];
  qos1?: { qos: number; packetId: number };
  qos2?: { qos: number; packetId: number };
  toTest?: { qos: number };
  received?: { topic: string; payload: string; qos: number }[];
  error?: { name: string; code: string; message: string };
}

test('a Worker in workerd connects over its outgoing WebSocket, publishes at QoS 1 and 2 and awaits PUBACK and PUBCOMP', async () => {
  const fromWorker = subscriber.messages('workerd/out');
  const wsUrl = `ws://127.0.0.1:${broker.wsPort}/mqtt`;
  const response = await fetch(`${workerUrl}?broker=${encodeURIComponent(wsUrl)}&clientId=workerd-1`);
  const answer = (await response.json()) as WorkerAnswer;
  expect(answer.error, JSON.stringify(answer)).toBeUndefined();
  expect(response.status).toBe(200);
  // What the host has: a WebSocket, no Worker (the system clock is used), no IndexedDB.
  expect(answer.host).toEqual({ WebSocket: 'function', Worker: 'undefined', indexedDB: 'undefined', TextEncoder: 'function', getRandomValues: 'function' });
  expect(answer.warnings).toEqual([expect.stringMatching(/IndexedDB/)]);
  expect(answer.granted).toEqual([2]);
  expect(answer.qos1).toMatchObject({ qos: 1 });
  expect(answer.qos2).toMatchObject({ qos: 2 });
  expect(answer.received).toEqual([
    { topic: 'workerd/echo/1', payload: 'one', qos: 1 },
    { topic: 'workerd/echo/2', payload: 'two', qos: 2 },
  ]);
  // The publishes resolved on the broker's acks: the broker sent them, before the Worker's DISCONNECT.
  const sent = packets.filter((line) => line.startsWith('out ') || line === 'in disconnect');
  expect(sent.indexOf('out puback')).toBeGreaterThanOrEqual(0);
  expect(sent.indexOf('out pubcomp')).toBeGreaterThan(sent.indexOf('out puback'));
  expect(sent.at(-1)).toBe('in disconnect');
  const { value } = await fromWorker.next();
  expect(new TextDecoder().decode(value!.payload)).toBe('from workerd-1');
}, 30_000);
