// The test page: what the Playwright tests drive, through window.courierTest.
import { connect, connectedClient, createClient, indexedDbOutbox, type MqttClient, type QoS, scramSha256, workerClock } from '@courier/browser';

interface Run {
  url: string;
  protocolVersion: 4 | 5;
  publishQos: QoS;
  subscribeQos: QoS;
  count: number;
  tag: string;
  options?: { ackTimeoutMs?: number; clean?: boolean };
  /** How long to wait for every message (QoS 0 under faults may legitimately lose some). */
  waitMs?: number;
}

interface RunResult {
  /** How many times each message number arrived. */
  counts: Record<number, number>;
  /** The QoS each message number arrived with. */
  qos: Record<number, number>;
  /** What each publish promise settled with. */
  settled: (number | string)[];
}

const clients: MqttClient[] = [];

async function runCombination(run: Run): Promise<RunResult> {
  const options = { protocolVersion: run.protocolVersion, reconnect: { initialDelayMs: 10, maxDelayMs: 50 }, ...run.options };
  const subscriber = await connect(run.url, { ...options, clientId: `sub-${run.tag}` });
  const publisher = await connect(run.url, { ...options, clientId: `pub-${run.tag}` });
  clients.push(subscriber, publisher);
  const result: RunResult = { counts: {}, qos: {}, settled: [] };
  let distinct = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  subscriber.on('message', (message) => {
    const id = Number(new TextDecoder().decode(message.payload));
    if (result.counts[id] === undefined) distinct++;
    result.counts[id] = (result.counts[id] ?? 0) + 1;
    result.qos[id] = message.qos;
    if (distinct === run.count) done();
  });
  await subscriber.subscribe(`browser/${run.tag}`, { qos: run.subscribeQos });
  result.settled = await Promise.all(
    Array.from({ length: run.count }, (_, i) =>
      publisher.publish(`browser/${run.tag}`, String(i), { qos: run.publishQos }).then(
        (r) => r.qos ?? -1,
        (error: { code?: string }) => error.code ?? 'error',
      ),
    ),
  );
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, run.waitMs ?? 10_000))]);
  return result;
}

async function endAll(): Promise<void> {
  await Promise.all(clients.splice(0).map((client) => client.end({ force: true })));
}

/** Reports a line to the test (Playwright's exposed function, which outlives a reload). */
function say(line: string): void {
  (window as never as { report(line: string): void }).report(line);
}

const numberOf = (payload: Uint8Array) => Number(new TextDecoder().decode(payload));

interface Stream {
  url: string;
  clientId: string;
  topic: string;
  last: number;
}

/**
 * Publishes messages `next`..`last` (odd at QoS 1, even at QoS 2) through the default IndexedDB
 * outbox, at most 100 outstanding, where `next` survives reloads in localStorage and is
 * written before each publish() call. Reports "start next", "pending k,...", "done k",
 * "finished". The test reloads the page at random moments.
 */
async function stream(run: Stream): Promise<void> {
  const first = Number(localStorage.getItem(`next:${run.clientId}`) ?? 1);
  say(`start ${first}`);
  const client = await connect(run.url, { clientId: run.clientId, clean: false, reconnect: { initialDelayMs: 10, maxDelayMs: 100 } });
  clients.push(client);
  const restored = await client.pending();
  say(`pending ${restored.map((entry) => numberOf(entry.payload)).join(',')}`);
  const outstanding = new Set<Promise<unknown>>();
  const track = (k: number, done: Promise<unknown>) => {
    const settled = done.then(() => say(`done ${k}`));
    outstanding.add(settled);
    void settled.finally(() => outstanding.delete(settled));
  };
  for (const entry of restored) track(numberOf(entry.payload), client.delivered(entry.id));
  for (let k = first; k <= run.last; k++) {
    while (outstanding.size >= 100) await Promise.race(outstanding);
    localStorage.setItem(`next:${run.clientId}`, String(k + 1));
    track(k, client.publish(run.topic, String(k), { qos: k % 2 === 1 ? 1 : 2 }));
  }
  await Promise.all(outstanding);
  await client.end();
  say('finished');
}

/**
 * Opens a persistent session (IndexedDB outbox, by default shared with the other tabs); reports
 * "warning <message>" for the warnings said while it opens (a tab that waits says so).
 */
async function openSession(args: { url: string; clientId: string; lock?: 'share' | 'wait' | 'fail' }): Promise<string> {
  try {
    const options = { clientId: args.clientId, clean: false, reconnect: { initialDelayMs: 10, maxDelayMs: 100 } };
    const created = createClient(args.url, args.lock === undefined ? options : { ...options, outbox: indexedDbOutbox({ lock: args.lock }) });
    created.on('warning', (warning) => say(`warning ${warning.message}`));
    const client = await connectedClient(created);
    clients.push(client);
    client.on('connect', () => say('connect'));
    client.on('disconnect', () => say('disconnect'));
    return 'connected';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

async function publishFromSession(topic: string, body: string): Promise<number> {
  const result = await clients.at(-1)!.publish(topic, body, { qos: 2 });
  return result.qos ?? -1;
}

/**
 * Publishes `count` QoS 1 messages of `size` bytes one after another while the broker
 * acknowledges none (the test drops them), so that they pile up in IndexedDB. Reports
 * "accepted k" once k is written (its promise still pending), "rejected k CODE message" and,
 * later, "done k".
 */
async function fillOutbox(args: { url: string; clientId: string; topic: string; count: number; size: number }): Promise<void> {
  const client = await connect(args.url, { clientId: args.clientId, clean: false, reconnect: { initialDelayMs: 10, maxDelayMs: 100 } });
  clients.push(client);
  for (let k = 0; k < args.count; k++) {
    // "k" in 8 bytes, then random bytes: IndexedDB compresses what it stores, so they must be.
    const message = new Uint8Array(args.size);
    for (let at = 8; at < message.length; at += 65_536) crypto.getRandomValues(message.subarray(at, Math.min(at + 65_536, message.length)));
    message.set(new TextEncoder().encode(String(k).padEnd(8)));
    const outcome = client.publish(args.topic, message, { qos: 1 }).then(
      () => say(`done ${k}`),
      (error: { code?: string; message?: string }) => say(`rejected ${k} ${error.code} ${error.message}`),
    );
    // Written (or refused) before the next: the outbox settles writes within a few ms here.
    await Promise.race([outcome, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  say('filled');
}

interface Drain {
  url: string;
  clientId: string;
  topic: string;
}

/**
 * Receives `topic` on a persistent session (IndexedDB outbox) with `manualAcks`, one message at a
 * time: "did k" goes to the test, and only once the test has it (the exposed function's promise
 * settles after the test's side ran) is the message acknowledged. Reports "ready" once
 * subscribed. The test reloads the page at seeded moments; the loop never ends by itself.
 */
async function drainWithAcks(run: Drain): Promise<void> {
  // `manualAcks` goes through a loosely typed object: the test was written before the option.
  const ackOptions: Record<string, unknown> = { manualAcks: true };
  const client = await connect(run.url, { clientId: run.clientId, clean: false, reconnect: { initialDelayMs: 10, maxDelayMs: 100 }, ...ackOptions });
  clients.push(client);
  const messages = client.messages(run.topic);
  await client.subscribe(run.topic, { qos: 2 });
  say('ready');
  const report = (window as never as { report(line: string): Promise<void> }).report;
  for await (const message of messages) {
    await report(`did ${numberOf(message.payload)} ${message.qos}`);
    const { ack } = message as { ack?: () => Promise<void> };
    if (typeof ack !== 'function') {
      say('error: manualAcks: the message has no ack()');
      return;
    }
    await ack.call(message);
  }
}

/** Connects to `url` once and ends: "connected", or the error's code and message. */
/** Connects to the first of `urls` that answers and says which one (the `connect` event's url). */
async function connectToOneOf(urls: string[]): Promise<string> {
  try {
    const client = await connect(urls, { clientId: 'url-list', reconnect: false });
    const { url } = await client.whenConnected();
    await client.end();
    return `connected to ${url}`;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return `${code} ${message}`;
  }
}

async function connectOnce(url: string): Promise<string> {
  try {
    const client = await connect(url, { clientId: 'url-credentials', reconnect: false });
    await client.end();
    return 'connected';
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return `${code} ${message}`;
  }
}

/** SCRAM-SHA-256 from the page: connects, re-authenticates, ends; what happened, or the error's code and reason code. */
async function connectWithScram(url: string, username: string, password: string): Promise<string> {
  try {
    const client = await connect(url, { clientId: `scram-${username}`, reconnect: false, ...scramSha256({ username, password }) });
    await client.reauthenticate();
    await client.end();
    return 'connected and re-authenticated';
  } catch (error) {
    const { code, reasonCode } = error as { code?: string; reasonCode?: number };
    return `${code} ${reasonCode}`;
  }
}

/** beforeConnect from the page: the attempt goes where it answers, with the token it answers. */
async function connectWithFreshToken(configured: string, answered: string): Promise<string> {
  let issued = 0;
  const client = await connect(configured, {
    clientId: 'fresh-token',
    username: 'page',
    reconnect: false,
    beforeConnect: async () => ({ url: answered, password: `token-${++issued}` }),
  });
  const { url } = await client.whenConnected();
  await client.end();
  return `connected with token-${issued}, reported as ${url}`;
}

// Kept apart from courierTest: the credentials spec's calls.
Object.assign(window, { courierAuthTest: { connectWithScram, connectWithFreshToken } });

/** Connects at 3.1.1, publishes `count` QoS 1 messages in one task, awaits them and ends. */
async function publishBurst(url: string, count: number, coalesceWebSocketMessages: boolean): Promise<void> {
  const client = await connect(url, { protocolVersion: 4, clientId: 'burst', reconnect: false, coalesceWebSocketMessages });
  await Promise.all(Array.from({ length: count }, (_, i) => client.publish('t', `m${i}`, { qos: 1 })));
  await client.end();
}

/**
 * Stays connected for `waitMs` with a keep-alive of `keepAliveSeconds` (the client's timers in
 * its Worker clock), then ends. Returns whether a Worker clock can be made here, and the
 * disconnects seen.
 */
async function keepAlive(args: { url: string; clientId: string; keepAliveSeconds: number; waitMs: number }): Promise<{ usesWorker: boolean; disconnects: number }> {
  const client = await connect(args.url, { clientId: args.clientId, keepAlive: args.keepAliveSeconds, reconnect: false });
  let disconnects = 0;
  client.on('disconnect', () => disconnects++);
  await new Promise((resolve) => setTimeout(resolve, args.waitMs));
  const seen = disconnects; // before end(), whose own disconnect does not count
  await client.end();
  return { usesWorker: workerClock().usesWorker, disconnects: seen };
}

Object.assign(window, { courierTest: { runCombination, endAll, stream, openSession, publishFromSession, fillOutbox, connectOnce, connectToOneOf, publishBurst, keepAlive, drainWithAcks } });
document.getElementById('status')!.textContent = 'ready';
