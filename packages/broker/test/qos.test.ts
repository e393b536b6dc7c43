// The downgrade table (../shared/seeds/mqtt-qos-levels.txt): a subscriber receives at
// min(publish QoS, subscription QoS) [MQTT-3.8.4-8], for both versions and both transports,
// with MQTT.js on both ends.
import { describe, expect, it } from 'vitest';
import { Fixture, inboxOf } from './helpers';

const fixture = new Fixture();

const TABLE: [publish: 0 | 1 | 2, subscribe: 0 | 1 | 2, received: 0 | 1 | 2][] = [
  [2, 0, 0],
  [2, 1, 1],
  [2, 2, 2],
  [1, 0, 0],
  [1, 1, 1],
  [1, 2, 1],
  [0, 0, 0],
  [0, 1, 0],
  [0, 2, 0],
];

describe.each([
  { version: 4 as const, name: 'MQTT 3.1.1' },
  { version: 5 as const, name: 'MQTT 5.0' },
])('$name', ({ version }) => {
  describe.each(['tcp', 'ws'] as const)('over %s', (transport) => {
    it.each(TABLE)(
      '[MQTT-3.8.4-8] a QoS %i publish to a QoS %i subscription arrives at QoS %i',
      async (publishQoS, subscribeQoS, receivedQoS) => {
        const broker = await fixture.broker({ wsPort: 0 });
        const subscriber = await fixture.client(broker, { version, transport, clientId: 'subscriber' });
        const publisher = await fixture.client(broker, { version, transport, clientId: 'publisher' });
        const inbox = inboxOf(subscriber);
        const [granted] = await subscriber.subscribeAsync('table/+', { qos: subscribeQoS });
        expect(granted!.qos).toBe(subscribeQoS);

        // Resolves on PUBACK (1) or PUBCOMP (2): the broker completed the publisher's flow.
        await publisher.publishAsync('table/row', `p${publishQoS}s${subscribeQoS}`, { qos: publishQoS });
        const message = await inbox.next();

        expect(message.topic).toBe('table/row');
        expect(message.payload).toBe(`p${publishQoS}s${subscribeQoS}`);
        expect(message.packet.qos).toBe(receivedQoS);
        expect(message.packet.dup).toBe(false);
        expect(message.packet.retain).toBe(false);
      },
    );
  });

  it('[MQTT-3.3.4-2] overlapping subscriptions of one client get one copy at the highest granted QoS', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version, clientId: 'subscriber' });
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    const inbox = inboxOf(subscriber);
    await subscriber.subscribeAsync({ 'overlap/+': { qos: 0 }, 'overlap/x': { qos: 1 }, 'overlap/#': { qos: 0 } });

    await publisher.publishAsync('overlap/x', 'one', { qos: 2 });
    // The marker matches two QoS 0 subscriptions; the broker sends in the order it routes, so
    // once the marker is here a second copy of "one" would have been too.
    await publisher.publishAsync('overlap/marker', 'marker', { qos: 2 });
    await inbox.count(2);

    expect(inbox.messages.map((m) => [m.payload, m.packet.qos])).toEqual([
      ['one', 1],
      ['marker', 0],
    ]);
  });
});

it('[MQTT-3.3.4-4] one copy for overlapping 5.0 subscriptions carries every matching subscription identifier', async () => {
  const broker = await fixture.broker();
  const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
  const publisher = await fixture.client(broker, { version: 5, clientId: 'publisher' });
  const inbox = inboxOf(subscriber);
  await subscriber.subscribeAsync('ids/+', { qos: 1, properties: { subscriptionIdentifier: 7 } });
  await subscriber.subscribeAsync('ids/x', { qos: 2, properties: { subscriptionIdentifier: 9 } });
  await subscriber.subscribeAsync('ids/#', { qos: 0 });

  await publisher.publishAsync('ids/x', 'payload', { qos: 2 });
  const message = await inbox.next();

  expect(message.packet.qos).toBe(2);
  const ids = message.packet.properties?.subscriptionIdentifier;
  expect([ids].flat().sort()).toEqual([7, 9]);
});
