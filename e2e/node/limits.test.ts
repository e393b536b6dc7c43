// Every queue has a bound, and what happens at the bound is said, never silent:
// - the client's offline queue (maxQueuedQoS0) and everything it owes (maxQueuedMessages: waiting,
//   in flight, in its outbox): publish() beyond them rejects with ERR_QUEUE_FULL at once, and
//   what was accepted is all delivered;
// - the broker's Receive Maximum and the client's window: back-pressure, nothing refused;
// - the broker's in-flight window towards a client (maxInflightMessages): back-pressure;
// - the broker's per-client queue (maxQueuedMessages): the newest are dropped, with a log line.
import { afterEach, expect, test } from 'vitest';
import { type Broker, type BrokerOptions, createBroker } from '@courier/broker';
import { connect, createClient, type Message, type MqttClient } from '@courier/node';

const brokers: Broker[] = [];
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end({ force: true })));
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

async function start(options: BrokerOptions = {}): Promise<Broker> {
  const broker = await createBroker({ port: 0, ...options });
  brokers.push(broker);
  return broker;
}

async function open(broker: Broker, clientId: string, options: Parameters<typeof connect>[1] = {}): Promise<MqttClient> {
  const client = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId, ...options });
  clients.push(client);
  return client;
}

function collect(client: MqttClient): string[] {
  const received: string[] = [];
  client.on('message', (message: Message) => received.push(new TextDecoder().decode(message.payload)));
  return received;
}

/** The most QoS 1/2 PUBLISH one side had unacknowledged at once, as the broker's tap sees it. */
function peakInFlight(broker: Broker, clientId: string, from: 'in' | 'out', finalAck: 'puback' | 'pubcomp'): () => number {
  let outstanding = 0;
  let most = 0;
  broker.tap(({ clientId: id, direction, packet }) => {
    if (id !== clientId) return;
    if (direction === from && packet.type === 'publish') most = Math.max(most, ++outstanding);
    if (direction !== from && packet.type === finalAck) outstanding--;
  });
  return () => most;
}

const settled = (promises: Promise<unknown>[]) =>
  Promise.allSettled(promises).then((results) => results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code)));

test('offline, the client keeps maxQueuedQoS0 QoS 0 and maxQueuedMessages QoS 1/2 messages, refuses the next with ERR_QUEUE_FULL, and delivers the rest', async () => {
  // The publisher's CONNECT is held by the broker until released: until then it is offline.
  let release = () => {};
  const held = new Promise<boolean>((resolve) => (release = () => resolve(true)));
  const broker = await start({ authenticate: ({ clientId }) => (clientId === 'offline-publisher' ? held : true) });
  const subscriber = await open(broker, 'offline-subscriber');
  const received = collect(subscriber);
  await subscriber.subscribe('limits/offline', { qos: 2 });

  const publisher = createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'offline-publisher', maxQueuedQoS0: 2, maxQueuedMessages: 3 });
  clients.push(publisher);
  const qos0 = [0, 1, 2].map((i) => publisher.publish('limits/offline', `q0-${i}`, { qos: 0 }));
  const qos12 = [0, 1, 2, 3].map((i) => publisher.publish('limits/offline', `q12-${i}`, { qos: i % 2 ? 2 : 1 }));
  const refused = await settled([qos0[2]!, qos12[3]!]);
  expect(refused).toEqual(['ERR_QUEUE_FULL', 'ERR_QUEUE_FULL']);

  release();
  expect(await settled([...qos0.slice(0, 2), ...qos12.slice(0, 3)])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  await expect.poll(() => received.length).toBe(5);
  expect(received.sort()).toEqual(['q0-0', 'q0-1', 'q12-0', 'q12-1', 'q12-2']);
});

test('connected, what the client owes (in flight and waiting) is bounded by maxQueuedMessages: ERR_QUEUE_FULL beyond, the rest delivered', async () => {
  const broker = await start();
  const subscriber = await open(broker, 'owed-subscriber');
  const received = collect(subscriber);
  await subscriber.subscribe('limits/owed', { qos: 1 });
  const publisher = await open(broker, 'owed-publisher', { maxInflight: 2, maxQueuedMessages: 5 });
  // Seven at once: two go out, three wait, and no ack can come back before the last two are asked for.
  const publishes = Array.from({ length: 7 }, (_, i) => publisher.publish('limits/owed', `m${i}`, { qos: 1 }));
  expect(await settled(publishes)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ERR_QUEUE_FULL', 'ERR_QUEUE_FULL']);
  await expect.poll(() => received.length).toBe(5);
  expect(received).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
});

test("the broker's Receive Maximum (5.0) and the client's own window hold the client back; nothing is refused", async () => {
  const broker = await start({ receiveMaximum: 4 });
  const most = peakInFlight(broker, 'windowed', 'in', 'pubcomp');
  const subscriber = await open(broker, 'window-subscriber');
  const received = collect(subscriber);
  await subscriber.subscribe('limits/window', { qos: 2 });
  const publisher = await open(broker, 'windowed', { protocolVersion: 5 });
  const publishes = Array.from({ length: 40 }, (_, i) => publisher.publish('limits/window', `w${i}`, { qos: 2 }));
  expect(new Set(await settled(publishes))).toEqual(new Set(['ok']));
  expect(most()).toBe(4);
  await expect.poll(() => received.length).toBe(40);
});

test("by default the window is 1,000, or the broker's Receive Maximum when smaller (5.0)", async () => {
  const broker = await start({ receiveMaximum: 300 });
  const most5 = peakInFlight(broker, 'default-window-5', 'in', 'puback');
  const most4 = peakInFlight(broker, 'default-window-4', 'in', 'puback');
  for (const [clientId, protocolVersion] of [['default-window-5', 5], ['default-window-4', 4]] as const) {
    // The first PUBACK held back 200 ms, and those after it with it (a connection's packets keep
    // their order): every publish is asked for before an ack can free a place.
    broker.inject({ clientId, type: 'puback', direction: 'out', action: 'delay', delayMs: 200 });
    const publisher = await open(broker, clientId, { protocolVersion });
    const publishes = Array.from({ length: 1_500 }, (_, i) => publisher.publish('limits/default-window', `d${i}`, { qos: 1 }));
    expect(new Set(await settled(publishes))).toEqual(new Set(['ok']));
  }
  expect(most5()).toBe(300);
  expect(most4()).toBe(1_000);
});

test("the broker's window towards a client (maxInflightMessages) holds delivery back; nothing is lost", async () => {
  const broker = await start({ maxInflightMessages: 3 });
  const most = peakInFlight(broker, 'slow-reader', 'out', 'puback');
  const subscriber = await open(broker, 'slow-reader', { receiveMaximum: 1000 });
  const received = collect(subscriber);
  await subscriber.subscribe('limits/inflight', { qos: 1 });
  const publisher = await open(broker, 'fast-writer');
  await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.publish('limits/inflight', `f${i}`, { qos: 1 })));
  await expect.poll(() => received.length).toBe(50);
  expect(most()).toBe(3);
});

test("the broker's queue for an offline client keeps maxQueuedMessages, drops the newest beyond, and logs it", async () => {
  const log: string[] = [];
  const broker = await start({ maxQueuedMessages: 10, log: (line) => log.push(line) });
  const away = await open(broker, 'away', { clean: false });
  await away.subscribe('limits/queue', { qos: 1 });
  await away.end();
  const publisher = await open(broker, 'queue-writer');
  for (let i = 0; i < 15; i++) await publisher.publish('limits/queue', `o${i}`, { qos: 1 });
  expect(log.filter((line) => line.includes('queue full'))).toEqual(['away: queue full (10 messages), dropping new messages']);

  const back = createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'away', clean: false });
  clients.push(back);
  const received = collect(back);
  await back.whenConnected();
  await expect.poll(() => received.length).toBe(10);
  expect(received).toEqual(Array.from({ length: 10 }, (_, i) => `o${i}`));
});
