// The reference broker with a file session store, closed and started again on the same port
// several times while a persistent publisher streams QoS 1 or 2 messages to a persistent
// subscriber (Courier on both ends, both protocol versions). Both sessions come back each time
// (no 'sessionLost'), QoS 1 loses nothing, QoS 2 loses and doubles nothing, and every publish
// promise settles exactly once. The figures are printed.
//
// COURIER_RESTART_MESSAGES sets the count (default 5,000), COURIER_RESTARTS the restarts (default 5).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, createBroker, fileSessionStore } from '@courier/broker';
import { connect, type MqttClient } from '@courier/node';
import { expect, test } from 'vitest';
import { PublishLedger } from '../support/publish-ledger';
import { Receiver } from '../support/receiver';
import { until } from '../support/soak';

const MESSAGES = Number(process.env.COURIER_RESTART_MESSAGES ?? 5_000);
const RESTARTS = Number(process.env.COURIER_RESTARTS ?? 5);
// Generous: the machine has 2 cores and other suites run beside this one.
const TIMEOUT_MS = Math.max(30_000, MESSAGES * 10);

const combinations = [4, 5].flatMap((protocolVersion) => [1, 2].map((qos) => ({ protocolVersion, qos }))) as {
  protocolVersion: 4 | 5;
  qos: 1 | 2;
}[];

test.each(combinations)(
  `MQTT $protocolVersion, QoS $qos: ${MESSAGES} messages across ${RESTARTS} broker restarts, sessions kept, nothing lost, nothing doubled at QoS 2`,
  async ({ protocolVersion, qos }) => {
    const dir = mkdtempSync(join(tmpdir(), 'courier-restart-'));
    const sessionStore = fileSessionStore(join(dir, 'sessions.json'));
    // Queues longer than the run: a full queue dropping messages is the broker's policy, not a loss.
    const start = (port: number) => createBroker({ port, sessionStore, maxQueuedMessages: 10 * MESSAGES });
    let broker: Broker = await start(0);
    const { port } = broker;
    const clients: MqttClient[] = [];
    let restarting = false;
    const persistent = (clientId: string) =>
      connect(`mqtt://127.0.0.1:${port}`, { clientId, protocolVersion, clean: false, reconnect: { initialDelayMs: 10, maxDelayMs: 100 } });
    try {
      const tag = `${protocolVersion}-${qos}`;
      const topic = `restart/${tag}`;
      const subscriber = await persistent(`restart-sub-${tag}`);
      clients.push(subscriber);
      const receiver = new Receiver(subscriber);
      await subscriber.subscribe(topic, { qos });
      const publisher = await persistent(`restart-pub-${tag}`);
      clients.push(publisher);
      const connects = [0, 0];
      let sessionsLost = 0;
      clients.forEach((client, i) => {
        client.on('connect', () => connects[i]!++);
        client.on('sessionLost', () => sessionsLost++);
      });

      const ledger = new PublishLedger(MESSAGES);
      // The broker restarts from the publisher's settlement handler, once the next share of the
      // messages is acknowledged and some publishes are still in flight. The publisher may run at
      // most LEAD messages ahead of what the subscriber has received, so it cannot reach the next
      // share before the subscriber is back and receiving: every restart comes mid-stream on both
      // legs. (Restarts paced by the subscriber alone let a fast publisher finish before the last.)
      const LEAD = 200;
      ledger.issueLimit = () => receiver.distinct + LEAD;
      const owedAtRestart: number[] = [];
      const unackedAtRestart: number[] = [];
      const restarted = () => owedAtRestart.length === RESTARTS && !restarting;
      // Checked on each settlement and each arrival: when the subscriber lags, the publisher runs
      // one message at a time, each settled before the next is issued, and only an arrival (which
      // issues the next) finds a publish in flight. (Checked on settlements alone, a slow machine
      // could finish the run with restarts to spare: 2 of 5 in one CI run.)
      const maybeRestart = () => {
        const share = Math.floor(((owedAtRestart.length + 1) * MESSAGES) / (RESTARTS + 1));
        if (restarting || owedAtRestart.length === RESTARTS || ledger.settled < share || ledger.issued === ledger.settled) return;
        restarting = true;
        owedAtRestart.push(MESSAGES - receiver.distinct);
        unackedAtRestart.push(ledger.issued - ledger.settled);
        void broker
          .close()
          .then(() => start(port))
          .then((next) => {
            broker = next;
            restarting = false;
          });
      };
      ledger.onSettled = maybeRestart;
      subscriber.on('message', () => {
        ledger.resume();
        maybeRestart();
      });

      const startedAt = Date.now();
      await ledger.publishAll(publisher, topic, qos, 100, TIMEOUT_MS);
      await until(() => receiver.distinct >= MESSAGES && restarted(), TIMEOUT_MS / 2);

      let duplicates = 0;
      for (const n of receiver.counts.values()) duplicates += n - 1;
      const lost = MESSAGES - receiver.distinct;
      console.log(
        `broker restart MQTT ${protocolVersion} QoS ${qos}: ${MESSAGES} messages, ${RESTARTS} restarts, ${lost} lost, ` +
          `${duplicates} duplicates, ${connects[0]! + connects[1]!} reconnects, ${sessionsLost} sessions lost, owed at each restart ${owedAtRestart.join('/')}, ` +
          `unacknowledged publishes at each restart ${unackedAtRestart.join('/')}, ` +
          `promises ${ledger.unsettled().length} unsettled / ${ledger.settledTwice()} settled twice / ${ledger.rejections.size} rejected, ` +
          `${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
      );
      expect(sessionsLost).toBe(0);
      expect(ledger.unsettled()).toEqual([]);
      expect(ledger.settledTwice()).toBe(0);
      expect([...ledger.rejections.values()]).toEqual([]);
      expect(lost).toBe(0);
      if (qos === 2) expect(receiver.duplicates()).toEqual([]);
      expect(owedAtRestart).toHaveLength(RESTARTS);
      // Every restart came mid-stream on both legs: messages owed to the subscriber, publishes unacknowledged.
      expect(owedAtRestart.every((owed) => owed > 0)).toBe(true);
      expect(unackedAtRestart.every((unacked) => unacked > 0)).toBe(true);
      expect(connects[0]).toBeGreaterThanOrEqual(RESTARTS);
    } finally {
      await Promise.all(clients.map((client) => client.end({ force: true })));
      await until(() => !restarting, 5_000); // so that no broker starts after this one closes
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  TIMEOUT_MS * 2,
);
