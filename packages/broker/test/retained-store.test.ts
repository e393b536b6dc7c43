// Retained messages (3.3.1.3), Retain Handling and Retain As Published (5.0), through MQTT.js.
// "Not sent" is checked on the tap after an UNSUBSCRIBE round trip: the broker sends retained
// messages right after SUBACK, so anything it would send has been sent by the time UNSUBACK is.
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { Broker } from '@courier/broker';
import { Fixture, inboxOf, recordTap } from './helpers';

const fixture = new Fixture();

async function roundTrip(client: MqttClient): Promise<void> {
  await client.unsubscribeAsync('round/trip');
}

function publishesTo(events: ReturnType<typeof recordTap>, clientId: string): unknown[] {
  return events
    .filter((e) => e.direction === 'out' && e.clientId === clientId && e.packet.type === 'publish')
    .map((e) => (e.packet.type === 'publish' ? new TextDecoder().decode(e.packet.payload) : undefined));
}

async function setUp(version: 4 | 5): Promise<{ broker: Broker; publisher: MqttClient }> {
  const broker = await fixture.broker();
  const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
  return { broker, publisher };
}

describe.each([4, 5] as const)('MQTT version %i', (version) => {
  it('[MQTT-3.3.1-5] sends the retained message to a new subscriber, with RETAIN=1', async () => {
    const { broker, publisher } = await setUp(version);
    await publisher.publishAsync('status/door', 'old', { qos: 1, retain: true });
    await publisher.publishAsync('status/door', 'open', { qos: 1, retain: true }); // replaces it
    const subscriber = await fixture.client(broker, { version, clientId: 'late' });
    await subscriber.subscribeAsync('status/+', { qos: 1 });
    const message = await inboxOf(subscriber).next();
    expect([message.topic, message.payload, message.packet.retain, message.packet.qos]).toEqual(['status/door', 'open', true, 1]);
  });

  it('sends a retained message at min(its QoS, the subscription QoS)', async () => {
    const { broker, publisher } = await setUp(version);
    await publisher.publishAsync('status/qos', 'two', { qos: 2, retain: true });
    const subscriber = await fixture.client(broker, { version, clientId: 'late' });
    await subscriber.subscribeAsync('status/qos', { qos: 1 });
    expect((await inboxOf(subscriber).next()).packet.qos).toBe(1);
  });

  it('[MQTT-3.3.1-6] [MQTT-3.3.1-7] an empty retained payload clears the topic and still reaches current subscribers', async () => {
    const { broker, publisher } = await setUp(version);
    const current = await fixture.client(broker, { version, clientId: 'current' });
    await current.subscribeAsync('status/light', { qos: 1 });
    await publisher.publishAsync('status/light', 'on', { qos: 1, retain: true });
    await publisher.publishAsync('status/light', '', { qos: 1, retain: true });
    expect((await inboxOf(current).count(2)).map((m) => m.payload)).toEqual(['on', '']);

    const events = recordTap(broker);
    const late = await fixture.client(broker, { version, clientId: 'late' });
    await late.subscribeAsync('status/light', { qos: 1 });
    await roundTrip(late);
    expect(publishesTo(events, 'late')).toEqual([]);
  });

  it('[MQTT-3.3.1-8] a PUBLISH without RETAIN neither stores nor replaces the retained message', async () => {
    const { broker, publisher } = await setUp(version);
    await publisher.publishAsync('status/fan', 'retained', { qos: 1, retain: true });
    await publisher.publishAsync('status/fan', 'transient', { qos: 1 });
    const late = await fixture.client(broker, { version, clientId: 'late' });
    await late.subscribeAsync('status/fan', { qos: 1 });
    expect((await inboxOf(late).next()).payload).toBe('retained');
  });

  it('keeps a retained QoS 0 message', async () => {
    const { broker, publisher } = await setUp(version);
    await publisher.publishAsync('status/zero', 'kept', { qos: 0, retain: true });
    await roundTrip(publisher);
    const late = await fixture.client(broker, { version, clientId: 'late' });
    await late.subscribeAsync('status/zero', { qos: 2 });
    expect((await inboxOf(late).next()).packet.qos).toBe(0);
  });
});

it('[MQTT-3.3.1-9] (3.1.1) sets RETAIN=0 on a message that matches an established subscription', async () => {
  const { broker, publisher } = await setUp(4);
  const subscriber = await fixture.client(broker, { version: 4, clientId: 'subscriber' });
  await subscriber.subscribeAsync('live', { qos: 1 });
  await publisher.publishAsync('live', 'retained as sent', { qos: 1, retain: true });
  expect((await inboxOf(subscriber).next()).packet.retain).toBe(false);
});

describe('MQTT 5.0 subscription options', () => {
  it('[MQTT-3.3.1-12] without Retain As Published, forwards with RETAIN=0', async () => {
    const { broker, publisher } = await setUp(5);
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('live', { qos: 1, rap: false });
    await publisher.publishAsync('live', 'x', { qos: 1, retain: true });
    expect((await inboxOf(subscriber).next()).packet.retain).toBe(false);
  });

  it('[MQTT-3.3.1-13] with Retain As Published, forwards RETAIN as it was published', async () => {
    const { broker, publisher } = await setUp(5);
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('live', { qos: 1, rap: true });
    await publisher.publishAsync('live', 'retained', { qos: 1, retain: true });
    await publisher.publishAsync('live', 'plain', { qos: 1, retain: false });
    expect((await inboxOf(subscriber).count(2)).map((m) => m.packet.retain)).toEqual([true, false]);
  });

  it('[MQTT-3.3.1-9] Retain Handling 0 sends retained messages at every subscribe, even a repeated one', async () => {
    const { broker, publisher } = await setUp(5);
    await publisher.publishAsync('rh/0', 'retained', { qos: 1, retain: true });
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('rh/0', { qos: 1, rh: 0 });
    await subscriber.subscribeAsync('rh/0', { qos: 1, rh: 0 });
    expect((await inboxOf(subscriber).count(2)).map((m) => m.payload)).toEqual(['retained', 'retained']);
  });

  it('[MQTT-3.3.1-10] Retain Handling 1 sends them only when the subscription is new', async () => {
    const { broker, publisher } = await setUp(5);
    await publisher.publishAsync('rh/1', 'retained', { qos: 1, retain: true });
    const events = recordTap(broker);
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('rh/1', { qos: 1, rh: 1 });
    await subscriber.subscribeAsync('rh/1', { qos: 1, rh: 1 });
    await roundTrip(subscriber);
    expect(publishesTo(events, 'subscriber')).toEqual(['retained']);
  });

  it('[MQTT-3.3.1-11] Retain Handling 2 never sends them', async () => {
    const { broker, publisher } = await setUp(5);
    await publisher.publishAsync('rh/2', 'retained', { qos: 1, retain: true });
    const events = recordTap(broker);
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('rh/2', { qos: 1, rh: 2 });
    await roundTrip(subscriber);
    expect(publishesTo(events, 'subscriber')).toEqual([]);
  });

  it('sends a retained message with the subscription identifier of the subscription that fetched it', async () => {
    const { broker, publisher } = await setUp(5);
    await publisher.publishAsync('ids/retained', 'r', { qos: 1, retain: true });
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('ids/+', { qos: 1, properties: { subscriptionIdentifier: 42 } });
    expect((await inboxOf(subscriber).next()).packet.properties?.subscriptionIdentifier).toBe(42);
  });
});
