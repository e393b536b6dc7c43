// A real cluster with a node killed mid-stream: three Aedes 1.2 brokers sharing sessions and
// messages through Redis. A persistent QoS 1 subscriber on node A, a publisher on node B; node A
// is killed with SIGKILL while messages flow. The subscriber, whose transport tries each node's
// URL in turn, continues its session on another node: nothing published is lost.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createClient } from '@courier/core';
import { connect, connectedClient, type MqttClient } from '@courier/node';
import { type AedesCluster, startAedesCluster } from '../support/aedes-cluster';
import { failoverTransport } from '../support/failover-transport';

const MESSAGES = 300;
const KILL_AT = 100;
const WINDOW = 10;

let cluster: AedesCluster;
const clients: MqttClient[] = [];

beforeAll(async () => {
  cluster = await startAedesCluster(3);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.end({ force: true }).catch(() => undefined)));
  await cluster?.stop();
});

test('QoS 1: the subscriber\'s node is killed with SIGKILL mid-stream; on another node its session goes on, 0 lost, every publish settled', async () => {
  const [a, b, c] = cluster.urls as [string, string, string];
  const transport = failoverTransport([a, b, c]);
  const subscriber = await connectedClient(
    createClient({ transport, clientId: 'cluster-sub', clean: false, protocolVersion: 4, keepAlive: 5, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } }),
  );
  clients.push(subscriber);
  const counts = new Map<number, number>();
  let lastArrival: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (lastArrival = resolve));
  subscriber.on('message', (message) => {
    const n = Number(new TextDecoder().decode(message.payload));
    counts.set(n, (counts.get(n) ?? 0) + 1);
    if (counts.size === MESSAGES) lastArrival();
  });
  await subscriber.subscribe('cluster/t', { qos: 1 });

  const publisher = await connect(b, { clientId: 'cluster-pub', protocolVersion: 4 });
  clients.push(publisher);
  const outstanding = new Set<Promise<unknown>>();
  const outcomes: Promise<unknown>[] = [];
  let killed: Promise<void> | undefined;
  let receivedAtKill = -1;
  for (let n = 0; n < MESSAGES; n++) {
    // Mid-stream: once the subscriber has had some of them, so that some are on the wire to it.
    if (n === KILL_AT) {
      receivedAtKill = counts.size;
      killed = cluster.kill(0);
    }
    const outcome = publisher.publish('cluster/t', String(n), { qos: 1 });
    outcomes.push(outcome);
    outstanding.add(outcome);
    void outcome.finally(() => outstanding.delete(outcome));
    if (outstanding.size >= WINDOW) await Promise.race(outstanding);
  }
  const settled = await Promise.allSettled(outcomes);
  await killed;
  await Promise.race([allArrived, new Promise((resolve) => setTimeout(resolve, 20_000))]);

  expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
  expect(receivedAtKill).toBeGreaterThan(0); // it was mid-stream
  expect(receivedAtKill).toBeLessThan(MESSAGES);
  const missing = Array.from({ length: MESSAGES }, (_, n) => n).filter((n) => !counts.has(n));
  expect(missing).toEqual([]);
  expect(transport.reached[0]).toBe(a);
  expect(transport.reached.slice(1)).not.toContain(a);
  expect(transport.reached.length).toBeGreaterThanOrEqual(2);
}, 60_000);
