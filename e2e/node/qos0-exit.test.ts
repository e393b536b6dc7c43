// [issue 14, item 7] `await publish(topic, payload, { qos: 0 })` followed by process.exit() must
// lose nothing: QoS 0 settles once its bytes are handed to the operating system. A child process
// publishes one message and exits, RUNS times, over TCP and over WebSocket; a subscriber on the
// reference broker must have every one.
//
// Before QoS 0 settled at the flush, every run lost its message (20 of 20 over TCP and over
// WebSocket on 2026-12-07). Each run starts a process (about 1 s under tsx); npm test does 3 per
// transport, COURIER_QOS0_EXIT_RUNS=20 the 20.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect, type MqttClient } from '@courier/node';
import { ChildScript } from '../support/child-process';

const CHILD = 'e2e/node/crash/qos0-exit-child.ts';
const RUNS = Number(process.env.COURIER_QOS0_EXIT_RUNS ?? 3);

let broker: Broker;
let subscriber: MqttClient;
const received = new Set<string>();

beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  subscriber = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'exit-sub' });
  subscriber.on('message', (message) => received.add(new TextDecoder().decode(message.payload)));
  await subscriber.subscribe('exit/qos0', { qos: 0 });
});
afterAll(async () => {
  await subscriber?.end();
  await broker?.close();
});

for (const transport of ['tcp', 'ws'] as const) {
  test(`${transport}: ${RUNS} processes that await a QoS 0 publish and exit: the broker has all ${RUNS} messages`, async () => {
    const url = transport === 'tcp' ? `mqtt://127.0.0.1:${broker.port}` : `ws://127.0.0.1:${broker.wsPort}/mqtt`;
    const sent: string[] = [];
    // Two at a time: each start-up costs about a second under tsx on two shared cores.
    for (let run = 0; run < RUNS; run += 2) {
      await Promise.all(
        [run, run + 1].filter((n) => n < RUNS).map(async (n) => {
          const payload = `${transport}-${n}`;
          const child = new ChildScript(CHILD, [url, `exit-${payload}`, payload]);
          expect(await child.exited, child.errors).toBe(0);
          if (child.lines.includes('published')) sent.push(payload);
        }),
      );
    }
    expect(sent).toHaveLength(RUNS);
    await expect.poll(() => sent.filter((payload) => !received.has(payload)), { timeout: 2_000 }).toEqual([]);
  }, 120_000);
}
