// A real cluster with a node killed mid-stream: three Aedes 1.2 brokers sharing sessions and
// messages through Redis (a fresh cluster per test, about 2 s). A persistent subscriber on node
// A, a persistent publisher on node B; node A (or B) is killed with SIGKILL while messages flow.
// Each client is given every node's URL (createClient(urls)) and moves on to the next when its
// node dies, so its session continues on another node: nothing published is lost. At QoS 2
// nothing arrives twice when the subscriber's node dies. When the publisher's node dies, a
// message it had routed before the publisher saw its PUBREC is routed again by the node that
// takes the publisher's resend (a new PUBLISH to the subscriber, DUP=0: Aedes does not share a
// session's received QoS 2 ids across nodes before it routes), so a duplicate there is the
// cluster's, and only ever one of those messages.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type AedesCluster, startAedesCluster } from '../support/aedes-cluster';
import { runNodeKill } from '../support/node-kill-run';

const MESSAGES = 300;

let cluster: AedesCluster | undefined;

beforeEach(async () => {
  cluster = await startAedesCluster(3);
});
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** Kills node `victim` (0: the subscriber's, 1: the publisher's) after 100 of 300 publishes. */
function run(qos: 1 | 2, victim: 0 | 1) {
  const [a, b, c] = cluster!.urls as [string, string, string];
  return runNodeKill({
    subscriberUrls: [a, b, c],
    publisherUrls: [b, c, a],
    kill: () => cluster!.kill(victim),
    qos,
    messages: MESSAGES,
    killAt: 100,
    window: 10,
    settleMs: 20_000,
    tag: `aedes-q${qos}-${victim}`,
  });
}

for (const qos of [1, 2] as const) {
  test(`QoS ${qos}: the subscriber's node is killed with SIGKILL mid-stream; on another node its session goes on, 0 lost${qos === 2 ? ', 0 duplicates' : ''}, every publish settled`, async () => {
    const outcome = await run(qos, 0);
    expect(outcome.rejected).toEqual([]);
    expect(outcome.receivedAtKill).toBeGreaterThan(0); // it was mid-stream
    expect(outcome.receivedAtKill).toBeLessThan(MESSAGES);
    expect(outcome.missing, outcome.trace).toEqual([]);
    if (qos === 2) expect(outcome.duplicates, outcome.trace).toEqual([]);
    const [a] = cluster!.urls;
    expect(outcome.reached.subscriber[0]).toBe(a);
    expect(outcome.reached.subscriber.length).toBeGreaterThanOrEqual(2);
    expect(outcome.reached.subscriber.slice(1)).not.toContain(a);
  }, 60_000);
}

test("QoS 2: the publisher's node is killed with SIGKILL mid-stream; it resends what is owed on another node, 0 lost, duplicates only among what its dead node had not confirmed", async () => {
  const outcome = await run(2, 1);
  expect(outcome.rejected).toEqual([]);
  expect(outcome.missing, outcome.trace).toEqual([]);
  expect(outcome.unconfirmedAtKill.length).toBeLessThanOrEqual(10); // the window
  expect(outcome.duplicates.filter((n) => !outcome.unconfirmedAtKill.includes(n)), outcome.trace).toEqual([]);
  const b = cluster!.urls[1];
  expect(outcome.reached.publisher[0]).toBe(b);
  expect(outcome.reached.publisher.slice(1)).not.toContain(b);
}, 60_000);
