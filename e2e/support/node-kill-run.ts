// One failover run against a cluster: a persistent subscriber and a persistent publisher, each
// given every node's URL (createClient(urls), starting with its first), and a node killed after
// `killAt` publishes while the rest flow. Reports what a test asserts: what never arrived, what
// arrived twice, what was rejected, how far the stream was at the kill, which nodes were reached.
import { connectedClient, createClient, type MqttClient, type QoS } from '@courier/node';

export interface NodeKillRun {
  /** The subscriber's URLs, in the order it tries them; it connects to the first. */
  subscriberUrls: string[];
  /** The publisher's URLs, likewise; it keeps its session too (clean: false). */
  publisherUrls: string[];
  /** Kills the node (SIGKILL) and resolves once it is gone. */
  kill(): Promise<void>;
  qos: QoS;
  messages: number;
  killAt: number;
  /** Publishes outstanding at once. */
  window: number;
  /** How long to wait for the last message after the last publish settled. */
  settleMs: number;
  tag: string;
}

interface PersistentClient {
  client: MqttClient;
  /** The URL each connection reached, from the `connect` events. */
  reached: string[];
  /** Every packet and connection event, one line each, so that a failure can say what happened. */
  trace: string[];
}

export interface NodeKillOutcome {
  missing: number[];
  duplicates: number[];
  /** The messages the publisher had not seen acknowledged (no PUBACK, no PUBREC) when the kill came. */
  unconfirmedAtKill: number[];
  rejected: unknown[];
  receivedAtKill: number;
  /** Which URL each connection of the subscriber, then of the publisher, reached. */
  reached: { subscriber: string[]; publisher: string[] };
  /**
   * What the subscriber, then the publisher, saw of each missing or duplicated message (the
   * packets carrying it and those with the same packet id) and of its connections, for an
   * assertion's message; empty when nothing is missing or duplicated.
   */
  trace: string;
}

/** 3.1.1: Aedes 1.2 speaks nothing else (RabbitMQ 3.10 neither), so no fallback to wait for. */
function persistentClient(urls: string[], clientId: string): PersistentClient {
  const client = createClient(urls, { clientId, clean: false, protocolVersion: 4, keepAlive: 5, reconnect: { initialDelayMs: 50, maxDelayMs: 200 }, debug: { payloads: true } });
  const reached: string[] = [];
  const trace: string[] = [];
  const started = Date.now();
  const line = (text: string) => trace.push(`${String(Date.now() - started).padStart(5)} ms ${text}`);
  client.on('connect', (info) => {
    reached.push(info.url!);
    line(`connected to ${info.url}, session present: ${info.sessionPresent}`);
  });
  client.on('disconnect', (info) => line(`disconnected: ${info.error?.message ?? 'no error'}`));
  client.on('warning', (warning) => line(`warning: ${warning.message}`));
  client.on('error', (error) => line(`error: ${error.message}`));
  client.on('sessionLost', (lost) => line(`session lost: ${JSON.stringify(lost)}`));
  client.on('packet', (packet) => {
    if (packet.packetId === undefined) return;
    const payload = packet.payload === undefined ? '' : ` #${new TextDecoder().decode(packet.payload)}`;
    line(`${packet.direction} ${packet.type} id ${packet.packetId}${packet.dup ? ' dup' : ''}${payload}`);
  });
  return { client, reached, trace };
}

/** The trace lines about these messages: those naming them, and those with a packet id they had. */
function traceOf(trace: string[], messages: number[]): string {
  const wanted = new Set(messages.map((n) => `#${n}`));
  const ids = new Set<string>();
  for (const entry of trace) {
    const found = / id (\d+)(?: dup)? (#\d+)$/.exec(entry);
    if (found !== null && wanted.has(found[2]!)) ids.add(found[1]!);
  }
  return trace.filter((entry) => !/ id \d+/.test(entry) || ids.has(/ id (\d+)/.exec(entry)![1]!)).join('\n');
}

export async function runNodeKill(run: NodeKillRun): Promise<NodeKillOutcome> {
  const sub = persistentClient(run.subscriberUrls, `${run.tag}-sub`);
  const pub = persistentClient(run.publisherUrls, `${run.tag}-pub`);
  const clients: MqttClient[] = [sub.client, pub.client];
  try {
    const subscriber = await connectedClient(sub.client);
    const counts = new Map<number, number>();
    let lastArrival: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => (lastArrival = resolve));
    subscriber.on('message', (message) => {
      const n = Number(new TextDecoder().decode(message.payload));
      counts.set(n, (counts.get(n) ?? 0) + 1);
      if (counts.size === run.messages) lastArrival();
    });
    const topic = `${run.tag}/t`;
    await subscriber.subscribe(topic, { qos: run.qos });

    const publisher = await connectedClient(pub.client);
    const outstanding = new Set<Promise<unknown>>();
    const outcomes: Promise<unknown>[] = [];
    let killed: Promise<void> | undefined;
    let receivedAtKill = -1;
    let unconfirmedAtKill: number[] = [];
    for (let n = 0; n < run.messages; n++) {
      if (n === run.killAt) {
        // Mid-stream for the subscriber too: the broker acks a publish before the cluster has
        // passed it on, so the subscriber may not have had any yet.
        for (const deadline = Date.now() + 10_000; counts.size < run.killAt / 2 && Date.now() < deadline; ) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        receivedAtKill = counts.size;
        const owed = await publisher.pending();
        unconfirmedAtKill = owed.filter((record) => record.state !== 'released').map((record) => Number(new TextDecoder().decode(record.payload)));
        killed = run.kill();
      }
      const outcome = publisher.publish(topic, String(n), { qos: run.qos });
      outcomes.push(outcome);
      outstanding.add(outcome);
      void outcome.finally(() => outstanding.delete(outcome)).catch(() => undefined);
      if (outstanding.size >= run.window) await Promise.race(outstanding).catch(() => undefined);
    }
    const settled = await Promise.allSettled(outcomes);
    await killed;
    await Promise.race([allArrived, new Promise((resolve) => setTimeout(resolve, run.settleMs))]);
    const all = Array.from({ length: run.messages }, (_, n) => n);
    const missing = all.filter((n) => !counts.has(n));
    const duplicates = all.filter((n) => (counts.get(n) ?? 0) > 1);
    return {
      missing,
      duplicates,
      trace: missing.length + duplicates.length === 0 ? '' : `subscriber:\n${traceOf(sub.trace, [...missing, ...duplicates])}\npublisher:\n${traceOf(pub.trace, [...missing, ...duplicates])}`,
      rejected: settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : [])),
      receivedAtKill,
      unconfirmedAtKill,
      reached: { subscriber: sub.reached, publisher: pub.reached },
    };
  } finally {
    await Promise.all(clients.map((client) => client.end({ force: true }).catch(() => undefined)));
  }
}
