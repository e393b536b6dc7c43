// examples/node-sensor, run as a user runs it (its own Node process, configured by environment)
// against the reference broker: readings arrive at QoS 1, and readings the broker never
// acknowledged before the process was killed are delivered by the next start.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect, type MqttClient } from '@courier/node';
import { repository } from '../support/readme';

interface Reading {
  run: number;
  seq: number;
  qos: number;
}

const SENSOR = 'sensor-e2e';
let broker: Broker;
let subscriber: MqttClient;
let outboxDir: string;
const received: Reading[] = [];

beforeAll(async () => {
  broker = await createBroker({ port: 0 });
  outboxDir = mkdtempSync(join(tmpdir(), 'courier-example-sensor-'));
  subscriber = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'sensor-dashboard' });
  subscriber.on('message', ({ payload, qos }) => {
    const { run, seq } = JSON.parse(new TextDecoder().decode(payload)) as Reading;
    received.push({ run, seq, qos });
  });
  await subscriber.subscribe(`sensors/${SENSOR}/temperature`, { qos: 1 });
});
afterAll(async () => {
  await subscriber.end();
  await broker.close();
  rmSync(outboxDir, { recursive: true, force: true });
});

/** The example as `node examples/node-sensor/main.mjs`, resolving @courier/* to their sources. */
function startSensor(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', 'examples/node-sensor/main.mjs'], {
    cwd: repository,
    env: { ...process.env, BROKER_URL: `mqtt://127.0.0.1:${broker.port}`, SENSOR_ID: SENSOR, INTERVAL_MS: '50', OUTBOX_DIR: outboxDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

test('the sensor example publishes at QoS 1, and a restart after a crash delivers the readings still owed', async () => {
  const first = startSensor();
  await expect.poll(() => received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  expect(first.output()).toContain('owed from the last run: 0');
  const firstRun = received[0]!.run;
  expect(received.slice(0, 3)).toEqual([1, 2, 3].map((seq) => ({ run: firstRun, seq, qos: 1 })));

  // The broker drops the next 5 readings unread: they stay unacknowledged, owed in the journal
  // (a PUBLISH goes out only once its record is written). Then the process is killed.
  const dropped: number[] = [];
  const stopTap = broker.tap(({ clientId, packet, fault }) => {
    if (clientId === SENSOR && fault === 'dropped' && packet.type === 'publish') {
      dropped.push((JSON.parse(new TextDecoder().decode(packet.payload)) as Reading).seq);
    }
  });
  const fault = broker.inject({ clientId: SENSOR, direction: 'in', type: 'publish', action: 'drop', count: 5 });
  await expect.poll(() => fault.hits, { timeout: 10_000 }).toBe(5);
  first.child.kill('SIGKILL');
  await first.exited;
  stopTap();
  expect(dropped).toHaveLength(5);
  const beforeRestart = received.filter((r) => dropped.includes(r.seq) && r.run === firstRun);
  expect(beforeRestart).toEqual([]);

  const second = startSensor();
  try {
    await expect.poll(() => second.output(), { timeout: 20_000 }).toMatch(/delivered the \d+ readings owed from the last run/);
    const owed = Number(/owed from the last run: (\d+)/.exec(second.output())![1]);
    expect(owed).toBeGreaterThanOrEqual(5);
    const firstRunSeqs = new Set(received.filter((r) => r.run === firstRun).map((r) => r.seq));
    for (const seq of dropped) expect(firstRunSeqs.has(seq), `reading ${seq} of the first run`).toBe(true);
    await expect.poll(() => received.some((r) => r.run !== firstRun), { timeout: 10_000 }).toBe(true);
    expect(received.every((r) => r.qos === 1)).toBe(true);
  } finally {
    // Ctrl-C (SIGTERM here): it waits for what is in flight and says so.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }
  expect(second.output()).toContain('stopped');
}, 60_000);
