// The nine publish x subscribe QoS combinations, run with the Node client against the reference
// broker: once as they are, once with the connections cut mid-flow on both sides. What it
// counts comes from the subscriber (what the application received) and from the broker's tap
// (PUBLISH packets resent with DUP=1).
import type { Broker, Fault } from '@courier/broker';
import { connect, type MqttClient, type QoS } from '@courier/node';

/** One combination: the publisher's QoS and the subscription's. */
export interface Combination {
  published: QoS;
  subscribed: QoS;
}

/** What one combination did. */
export interface Observed extends Combination {
  /** The QoS levels the subscriber received at (one, when the broker follows the downgrade rule). */
  receivedQos: QoS[];
  sent: number;
  /** Distinct messages the subscriber received. */
  received: number;
  /** Messages the subscriber received more than once (each extra copy counts). */
  duplicates: number;
  lost: number;
  /** PUBLISH packets resent with DUP=1, publisher to broker and broker to subscriber. */
  resent: number;
}

/** The table's order: the seed's (shared/seeds/mqtt-qos-levels.txt), highest publish QoS first. */
export const COMBINATIONS: Combination[] = [2, 1, 0].flatMap((published) =>
  [0, 1, 2].map((subscribed) => ({ published: published as QoS, subscribed: subscribed as QoS })),
);

export interface MatrixOptions {
  broker: Broker;
  mqttUrl: string;
  messages: number;
  faults: boolean;
  /** Called before each combination runs. */
  onStart?: (index: number, combination: Combination) => void;
  /** Stops early (Ctrl-C): the clients are ended by force. */
  signal?: AbortSignal;
}

// Under faults a combination received at QoS 0 may lose messages: it ends after this long without
// a packet. Every other waits for all its messages (a bound only for a broken build).
const QUIET_MS = 300;
const GIVE_UP_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Matches the n-th packet it is asked about (1-based). */
function nth(n: number): () => boolean {
  let seen = 0;
  return () => ++seen === n;
}

/**
 * Where the faults strike. Publisher: its connection cut as its 8th message arrives (QoS 0: the
 * message is lost) or instead of the broker's ack (the message was routed; the client resends
 * it with DUP=1). Subscriber: cut as its 12th message would go out (QoS 0) or instead of its ack
 * reaching the broker (the broker resends with DUP=1).
 */
function faultsFor({ published, subscribed }: Combination, publisher: string, subscriber: string): Fault[] {
  const received = Math.min(published, subscribed);
  const publisherFault: Fault =
    published === 0
      ? { clientId: publisher, direction: 'in', type: 'publish', action: 'cut-before', match: nth(8) }
      : { clientId: publisher, direction: 'out', type: published === 1 ? 'puback' : 'pubrec', action: 'cut-before', match: nth(8) };
  const subscriberFault: Fault =
    received === 0
      ? { clientId: subscriber, direction: 'out', type: 'publish', action: 'cut-before', match: nth(12) }
      : { clientId: subscriber, direction: 'in', type: received === 1 ? 'puback' : 'pubrec', action: 'cut-before', match: nth(12) };
  return [publisherFault, subscriberFault];
}

async function runCombination(options: MatrixOptions, combination: Combination, tag: string): Promise<Observed> {
  const { broker, mqttUrl, messages } = options;
  const clientOptions = { clean: false, ackTimeoutMs: 1_000, reconnect: { initialDelayMs: 10, maxDelayMs: 100 } };
  const publisherId = `matrix-${tag}-pub`;
  const subscriberId = `matrix-${tag}-sub`;
  const topic = `matrix/${tag}`;
  const counts = new Map<number, number>();
  const receivedQos = new Set<QoS>();
  let lastNews = Date.now();
  let resent = 0;
  const stopTap = broker.tap(({ clientId, direction, packet, fault }) => {
    if (clientId === publisherId || clientId === subscriberId) lastNews = Date.now();
    if (packet.type !== 'publish' || !packet.dup || fault === 'dropped') return;
    if ((clientId === publisherId && direction === 'in') || (clientId === subscriberId && direction === 'out')) resent += 1;
  });
  const clients: MqttClient[] = [];
  const abort = () => void Promise.all(clients.map((client) => client.end({ force: true })));
  options.signal?.addEventListener('abort', abort);
  try {
    const subscriber = await connect(mqttUrl, { ...clientOptions, clientId: subscriberId });
    clients.push(subscriber);
    subscriber.on('message', ({ payload, qos }) => {
      const n = Number(new TextDecoder().decode(payload));
      counts.set(n, (counts.get(n) ?? 0) + 1);
      receivedQos.add(qos);
    });
    await subscriber.subscribe(topic, { qos: combination.subscribed });
    const publisher = await connect(mqttUrl, { ...clientOptions, clientId: publisherId });
    clients.push(publisher);
    const faults = options.faults ? faultsFor(combination, publisherId, subscriberId).map((fault) => broker.inject(fault)) : [];
    const settled = Promise.allSettled(Array.from({ length: messages }, (_, n) => publisher.publish(topic, String(n), { qos: combination.published })));
    await settled;
    // Done when every message is in and the faults have struck, or (QoS 0 under faults) nothing
    // has moved for a while.
    const started = Date.now();
    const mayLose = options.faults && Math.min(combination.published, combination.subscribed) === 0;
    while (!options.signal?.aborted && Date.now() - started < GIVE_UP_MS) {
      const complete = counts.size === messages && faults.every((fault) => fault.hits > 0);
      if (complete || (mayLose && Date.now() - lastNews > QUIET_MS)) break;
      await sleep(20);
    }
    // A late duplicate would come after the last packet seen: wait until the flows are quiet.
    const settleMs = options.faults ? 200 : 20;
    while (!options.signal?.aborted && Date.now() - lastNews < settleMs && Date.now() - started < GIVE_UP_MS) await sleep(20);
    for (const fault of faults) fault.remove();
    const extra = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    return {
      ...combination,
      receivedQos: [...receivedQos].sort(),
      sent: messages,
      received: counts.size,
      duplicates: extra,
      lost: messages - counts.size,
      resent,
    };
  } finally {
    stopTap();
    options.signal?.removeEventListener('abort', abort);
    await Promise.all(clients.map((client) => client.end({ force: true })));
  }
}

/** Runs the nine combinations one after another, in the table's order. */
export async function runMatrix(options: MatrixOptions): Promise<Observed[]> {
  const rows: Observed[] = [];
  for (const [index, combination] of COMBINATIONS.entries()) {
    if (options.signal?.aborted) break;
    options.onStart?.(index, combination);
    const tag = `${options.faults ? 'faults' : 'plain'}-${combination.published}${combination.subscribed}`;
    rows.push(await runCombination(options, combination, tag));
  }
  return rows;
}
