// The reference broker's topic aliases towards Courier's client, end to end over TCP: a 5.0
// subscriber that allows 4 aliases receives every message under its full topic, with no alias
// left in its properties, across a dropped connection (the aliases start again); the tap shows
// that the broker did use them.
import { afterEach, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect, type Message } from '@courier/node';
import type { PublishPacket } from '@courier/core';

const open: { end(): Promise<void> }[] = [];
let broker: Broker | undefined;
afterEach(async () => {
  for (const client of open.splice(0)) await client.end();
  await broker?.close();
});

const text = (payload: Uint8Array) => new TextDecoder().decode(payload);
// Topics of 60 bytes, as the telemetry aliases are for; message i goes to topics[i % 6].
const topics = [0, 1, 2, 3, 4, 5].map((n) => `plant/line-7/cell-${n}/`.padEnd(60, 'x'));
const PER_ROUND = 24;

test('Courier receives every message under its topic from a broker using aliases, across a reconnect', async () => {
  broker = await createBroker({ port: 0 });
  // Every PUBLISH to the subscriber, in connections: a new list at each CONNECT.
  const connections: PublishPacket[][] = [];
  broker.tap(({ clientId, direction, packet }) => {
    if (clientId !== 'aliased') return;
    if (direction === 'in' && packet.type === 'connect') connections.push([]);
    if (direction === 'out' && packet.type === 'publish') connections.at(-1)!.push(packet);
  });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const subscriber = await connect(url, {
    clientId: 'aliased',
    protocolVersion: 5,
    topicAliasMaximum: 4,
    clean: false,
    sessionExpiryInterval: 60,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
  });
  open.push(subscriber);
  const received: Message[] = [];
  const distinct = new Set<string>();
  let arrived = () => {};
  subscriber.on('message', (message) => {
    received.push(message);
    distinct.add(text(message.payload));
    arrived();
  });
  const allOf = (count: number) => new Promise<void>((resolve) => (arrived = () => distinct.size >= count && resolve()));
  await subscriber.subscribe('plant/#', { qos: 1 });
  const publisher = await connect(url, { clientId: 'publisher', protocolVersion: 5 });
  open.push(publisher);
  const publishRound = async (round: number) => {
    for (let i = round * PER_ROUND; i < (round + 1) * PER_ROUND; i++) await publisher.publish(topics[i % 6]!, String(i), { qos: 1 });
  };

  let all = allOf(PER_ROUND);
  await publishRound(0);
  await all;
  const reconnected = new Promise((resolve) => subscriber.once('connect', resolve));
  broker.dropClient('aliased');
  await reconnected;
  all = allOf(2 * PER_ROUND);
  await publishRound(1);
  await all;

  // QoS 1 may repeat one that was in flight at the drop; every copy has its own topic.
  for (const message of received) expect(message.topic).toBe(topics[Number(text(message.payload)) % 6]);
  expect(received.every((m) => m.properties?.topicAlias === undefined)).toBe(true);
  expect(connections).toHaveLength(2);
  for (const packets of connections) {
    // Read the wire as a client must: an alias is set by a PUBLISH with a topic, on this
    // connection only [MQTT-3.3.2-7], and only up to the maximum we allowed [MQTT-3.3.2-11].
    const known = new Map<number, string>();
    for (const packet of packets) {
      const alias = packet.properties?.topicAlias;
      if (alias === undefined) continue;
      expect(alias).toBeGreaterThanOrEqual(1);
      expect(alias).toBeLessThanOrEqual(4);
      if (packet.topic !== '') known.set(alias, packet.topic);
      expect(known.get(alias)).toBe(topics[Number(text(packet.payload)) % 6]);
    }
    expect(known.size).toBe(4);
    expect(packets.filter((packet) => packet.topic === '').length).toBeGreaterThanOrEqual(12);
  }
});
