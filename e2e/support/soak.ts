// One soak run: a publisher and a persistent subscriber, each through its own chaos proxy, with
// seeded faults (cuts mid-packet, stalls, delays) every few thousand bytes, and the books kept on
// every message and every publish promise.
import { connect, type MqttClient, type QoS } from '@courier/node';
import { type ChaosProxy, deriveSeed, randomFaults, startChaosProxy } from '@courier/node/testing';
import { PublishLedger } from './publish-ledger';
import { Receiver } from './receiver';

export interface SoakOptions {
  /** Where the broker listens on 127.0.0.1: its TCP port, or its WebSocket port for `ws`. */
  brokerPort: number;
  /** How the clients reach the broker through the proxies (default tcp). */
  transport?: 'tcp' | 'ws';
  /** Names the client ids and the topic, so that runs on one broker do not meet. */
  tag: string;
  protocolVersion: 4 | 5;
  qos: QoS;
  messages: number;
  /** Both proxies' fault plans derive from it. */
  seed: number;
  /** Publish promises outstanding at once. */
  window: number;
  /** Bytes of each direction between two faults (default 3 to 12 KB). */
  bytesBetween?: readonly [number, number];
  timeoutMs: number;
}

export interface SoakFigures {
  messages: number;
  /** Distinct messages the subscriber received. */
  received: number;
  lost: number;
  /** Extra copies received (QoS 1 may have them; QoS 0 and 2 must not). */
  duplicates: number;
  resolved: number;
  rejected: number;
  unsettled: number;
  settledTwice: number;
  faults: { cut: number; stall: number; delay: number };
  reconnects: number;
  sessionLost: number;
  ms: number;
}

// Faults every 3 to 12 KB of each direction: about every 150 to 500 messages of this size.
const BYTES_BETWEEN = [3_000, 12_000] as const;
// An ack timeout shorter than the longest stalls: 3.1.1 then resends in-session, 5.0 reconnects.
const ACK_TIMEOUT_MS = 1_000;

/** Counts successful connections after the first: the reconnects. */
function countReconnects(client: MqttClient): () => number {
  let connects = 0;
  client.on('connect', () => connects++);
  return () => Math.max(0, connects - 1);
}

async function quietClient(url: string, clientId: string, protocolVersion: 4 | 5): Promise<MqttClient> {
  return connect(url, {
    clientId,
    protocolVersion,
    clean: false,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
  });
}

/** Resolves when `condition` holds, checking every 20 ms; false after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const { tag, protocolVersion, qos, messages, seed } = options;
  const startedAt = Date.now();
  const topic = `soak/${tag}`;
  const proxies: ChaosProxy[] = [];
  const clients: MqttClient[] = [];
  try {
    for (const role of [1, 2]) {
      const plan = randomFaults({ seed: deriveSeed(seed, role), bytesBetween: options.bytesBetween ?? BYTES_BETWEEN, stallMs: [20, 1_500] });
      const proxy = await startChaosProxy({ target: { port: options.brokerPort }, plan });
      proxy.faultsEnabled = false; // until both are connected and subscribed
      proxies.push(proxy);
    }
    const [subscriberProxy, publisherProxy] = proxies as [ChaosProxy, ChaosProxy];
    // The proxy is byte-level, so over WebSocket its cuts fall mid-frame as well as mid-packet.
    const url = (proxy: ChaosProxy) => (options.transport === 'ws' ? `ws://127.0.0.1:${proxy.port}/mqtt` : proxy.url);
    const subscriber = await quietClient(url(subscriberProxy), `soak-sub-${tag}`, protocolVersion);
    clients.push(subscriber);
    const receiver = new Receiver(subscriber);
    await subscriber.subscribe(topic, { qos });
    const publisher = await quietClient(url(publisherProxy), `soak-pub-${tag}`, protocolVersion);
    clients.push(publisher);
    const reconnects = clients.map(countReconnects);
    let sessionLost = 0;
    for (const client of clients) client.on('sessionLost', () => sessionLost++);
    for (const proxy of proxies) proxy.faultsEnabled = true;

    const ledger = new PublishLedger(messages);
    await ledger.publishAll(publisher, topic, qos, options.window, options.timeoutMs);
    publisherProxy.faultsEnabled = false;
    if (qos > 0) {
      // What is owed keeps coming through the faults for a while, then without them.
      await until(() => receiver.distinct >= messages, options.timeoutMs / 4);
      subscriberProxy.faultsEnabled = false;
      await until(() => receiver.distinct >= messages, options.timeoutMs / 4);
    } else {
      // QoS 0 may be lost, and nothing says when the last survivor has come: markers published
      // after the faults stop arrive after every earlier message, in order (4.6).
      subscriberProxy.faultsEnabled = false;
      let marker = messages;
      await until(() => {
        for (let m = messages + 1; m <= marker; m++) if (receiver.counts.has(m)) return true;
        void publisher.publish(topic, String(++marker), { qos: 0 });
        return false;
      }, options.timeoutMs / 4);
    }
    let received = 0;
    let duplicates = 0;
    for (const [k, n] of receiver.counts) {
      if (k >= messages) continue; // a marker
      received++;
      duplicates += n - 1;
    }
    const faults = { cut: 0, stall: 0, delay: 0 };
    for (const proxy of proxies) {
      const counts = proxy.counts();
      faults.cut += counts.cut;
      faults.stall += counts.stall;
      faults.delay += counts.delay;
    }
    return {
      messages,
      received,
      lost: messages - received,
      duplicates,
      resolved: messages - ledger.unsettled().length - ledger.rejections.size,
      rejected: ledger.rejections.size,
      unsettled: ledger.unsettled().length,
      settledTwice: ledger.settledTwice(),
      faults,
      reconnects: reconnects.reduce((sum, count) => sum + count(), 0),
      sessionLost,
      ms: Date.now() - startedAt,
    };
  } finally {
    await Promise.all(clients.map((client) => client.end({ force: true })));
    await Promise.all(proxies.map((proxy) => proxy.close()));
  }
}

/** One line of figures, as the test prints it. */
export function describeSoak(name: string, seed: number, f: SoakFigures): string {
  return (
    `soak ${name} (seed ${seed}): ${f.messages} messages, ${f.received} received, ${f.lost} lost, ${f.duplicates} duplicates, ` +
    `promises ${f.resolved} resolved / ${f.rejected} rejected / ${f.unsettled} unsettled / ${f.settledTwice} settled twice, ` +
    `faults ${f.faults.cut} cuts + ${f.faults.stall} stalls + ${f.faults.delay} delays, ${f.reconnects} reconnects, ` +
    `${f.sessionLost} sessions lost, ${(f.ms / 1000).toFixed(1)} s`
  );
}
