// RabbitMQ 3.10, three nodes with quorum queues (mqtt.durable_queue_type = quorum), a node killed
// with SIGKILL mid-stream: the persistent QoS 1 subscriber continues its session on another node,
// nothing is lost. Starting three nodes takes about 45 s, too long for every npm test: it runs
// with COURIER_RABBITMQ_CLUSTER=1 (npx vitest run --project e2e e2e/node/rabbitmq-cluster.test.ts);
// npm test runs the one-node smoke test (rabbitmq.test.ts) instead.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runNodeKill } from '../support/node-kill-run';
import { type RabbitCluster, startRabbitCluster } from '../support/rabbitmq';

const MESSAGES = 300;
const enabled = process.env.COURIER_RABBITMQ_CLUSTER === '1';

// Skipped unless asked for: 45 s of start-up (see above); the smoke test covers npm test.
describe.skipIf(!enabled)('RabbitMQ, three nodes with quorum queues', () => {
  let cluster: RabbitCluster;

  beforeAll(async () => {
    cluster = await startRabbitCluster(3);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  test("QoS 1: the subscriber's node is killed with SIGKILL mid-stream; on another node its session goes on, 0 lost, every publish settled", async () => {
    const [a, b, c] = cluster.urls as [string, string, string];
    const outcome = await runNodeKill({
      subscriberUrls: [a, b, c],
      publisherUrls: [b, c, a],
      kill: () => cluster.nodes[0]!.kill(),
      qos: 1,
      messages: MESSAGES,
      killAt: 100,
      window: 10,
      settleMs: 60_000,
      tag: 'rabbit-q1',
    });
    expect(outcome.rejected).toEqual([]);
    expect(outcome.receivedAtKill).toBeGreaterThan(0);
    expect(outcome.receivedAtKill).toBeLessThan(MESSAGES);
    expect(outcome.missing, outcome.trace).toEqual([]);
    expect(outcome.reached.subscriber[0]).toBe(a);
    expect(outcome.reached.subscriber.slice(1)).not.toContain(a);
  }, 120_000);
});
