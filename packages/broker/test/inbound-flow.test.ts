// Messages from a client to the broker: QoS 1 and 2 acknowledgements, duplicate handling, topic
// aliases, Receive Maximum, No Local. The publisher is the raw client, to send exactly what the
// test needs; the subscriber is MQTT.js.
import { describe, expect, it } from 'vitest';
import type { PublishPacket } from '@courier/core';
import { Fixture, inboxOf, text } from './helpers';

const fixture = new Fixture();

function publish(topic: string, payload: string, qos: 0 | 1 | 2, packetId?: number, extra: Partial<PublishPacket> = {}): PublishPacket {
  return { type: 'publish', topic, payload: text(payload), qos, dup: false, retain: false, ...(packetId === undefined ? {} : { packetId }), ...extra };
}

describe.each([4, 5] as const)('MQTT version %i', (version) => {
  it('[MQTT-4.3.3-10] answers a repeated QoS 2 PUBLISH before PUBREL with PUBREC and does not deliver it twice', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version, clientId: 'subscriber' });
    await subscriber.subscribeAsync('#', { qos: 1 });
    const raw = await fixture.rawConnected(broker, version, 'publisher');
    raw.send(publish('once', 'first', 2, 5));
    expect(await raw.next('pubrec')).toMatchObject({ packetId: 5 });
    raw.send(publish('once', 'first', 2, 5, { dup: true }));
    expect(await raw.next('pubrec')).toMatchObject({ packetId: 5 });
    raw.send({ type: 'pubrel', packetId: 5 });
    expect(await raw.next('pubcomp')).toMatchObject({ packetId: 5, reasonCode: 0 });
    // [MQTT-4.3.3-12]: after PUBCOMP the same id starts a new message.
    raw.send(publish('once', 'second', 2, 5));
    await raw.next('pubrec');
    expect((await inboxOf(subscriber).count(2)).map((m) => m.payload)).toEqual(['first', 'second']);
  });

  it('[MQTT-4.3.2-5] treats a QoS 1 PUBLISH with an id already acknowledged as a new message', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version, clientId: 'subscriber' });
    await subscriber.subscribeAsync('#', { qos: 1 });
    const raw = await fixture.rawConnected(broker, version, 'publisher');
    raw.send(publish('again', 'one', 1, 9));
    expect(await raw.next('puback')).toMatchObject({ packetId: 9 });
    raw.send(publish('again', 'two', 1, 9, { dup: true }));
    await raw.next('puback');
    expect((await inboxOf(subscriber).count(2)).map((m) => m.payload)).toEqual(['one', 'two']);
  });

  it('[MQTT-4.3.3-11] answers a PUBREL for an unknown id with PUBCOMP (5.0: 0x92)', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, version, 'publisher');
    raw.send({ type: 'pubrel', packetId: 77 });
    expect(await raw.next('pubcomp')).toMatchObject({ packetId: 77, reasonCode: version === 5 ? 0x92 : 0 });
  });

  it('accepts a QoS 0 PUBLISH without an answer and delivers it', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version, clientId: 'subscriber' });
    await subscriber.subscribeAsync('#', { qos: 2 });
    const raw = await fixture.rawConnected(broker, version, 'publisher');
    raw.send(publish('zero', 'fire and forget', 0));
    expect((await inboxOf(subscriber).next()).packet.qos).toBe(0);
    expect(raw.received).toEqual([]);
  });
});

describe('MQTT 5.0', () => {
  it('says 0x10 (No matching subscribers) in PUBACK and PUBREC when nobody subscribed', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, 5, 'lonely');
    raw.send(publish('nobody', 'x', 1, 1));
    expect(await raw.next('puback')).toMatchObject({ packetId: 1, reasonCode: 0x10 });
    raw.send(publish('nobody', 'x', 2, 2));
    expect(await raw.next('pubrec')).toMatchObject({ packetId: 2, reasonCode: 0x10 });
  });

  it('[MQTT-3.3.2-12] resolves topic aliases and strips them before forwarding', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('#', { qos: 1 });
    const raw = await fixture.rawConnected(broker, 5, 'aliased');
    raw.send(publish('sensors/long/topic/name', 'set', 1, 1, { properties: { topicAlias: 3 } }));
    raw.send(publish('', 'used', 1, 2, { properties: { topicAlias: 3 } }));
    raw.send(publish('sensors/other', 'reset', 1, 3, { properties: { topicAlias: 3 } }));
    raw.send(publish('', 'used again', 1, 4, { properties: { topicAlias: 3 } }));
    const messages = await inboxOf(subscriber).count(4);
    expect(messages.map((m) => [m.topic, m.payload])).toEqual([
      ['sensors/long/topic/name', 'set'],
      ['sensors/long/topic/name', 'used'],
      ['sensors/other', 'reset'],
      ['sensors/other', 'used again'],
    ]);
    expect(messages.map((m) => m.packet.properties?.topicAlias)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('refuses a topic alias above its Topic Alias Maximum with DISCONNECT 0x94', async () => {
    const broker = await fixture.broker({ topicAliasMaximum: 2 });
    const raw = await fixture.rawConnected(broker, 5, 'greedy');
    raw.send(publish('t', 'x', 0, undefined, { properties: { topicAlias: 3 } }));
    expect((await raw.next('disconnect')).reasonCode).toBe(0x94);
    await raw.waitClosed();
  });

  it('[MQTT-3.3.2-7] does not carry topic aliases from one connection to the next (0x82 for an unknown alias)', async () => {
    const broker = await fixture.broker();
    const first = await fixture.rawConnected(broker, 5, 'forgets');
    first.send(publish('t', 'x', 1, 1, { properties: { topicAlias: 1 } }));
    await first.next('puback');
    first.send({ type: 'disconnect', reasonCode: 0 });
    await first.waitClosed();
    const second = await fixture.rawConnected(broker, 5, 'forgets');
    second.send(publish('', 'y', 1, 2, { properties: { topicAlias: 1 } }));
    expect((await second.next('disconnect')).reasonCode).toBe(0x82);
  });

  it('[MQTT-3.3.4-6] treats a subscription identifier in a client PUBLISH as a protocol error', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, 5, 'confused');
    raw.send(publish('t', 'x', 0, undefined, { properties: { subscriptionIdentifiers: [1] } }));
    expect((await raw.next('disconnect')).reasonCode).toBe(0x82);
  });

  it('closes with DISCONNECT 0x93 a client that exceeds the Receive Maximum it was given (3.3.4)', async () => {
    const broker = await fixture.broker({ receiveMaximum: 2 });
    const raw = await fixture.raw(broker, 5);
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'eager', clean: true, keepAlive: 0 });
    expect((await raw.next('connack')).properties?.receiveMaximum).toBe(2);
    raw.send(publish('t', '1', 2, 1));
    raw.send(publish('t', '2', 2, 2));
    await raw.next('pubrec');
    await raw.next('pubrec');
    raw.send({ type: 'pubrel', packetId: 1 }); // frees one place
    raw.send(publish('t', '3', 2, 3));
    await raw.next('pubrec');
    raw.send(publish('t', '4', 2, 4)); // three unreleased: one too many
    expect((await raw.next('disconnect')).reasonCode).toBe(0x93);
    await raw.waitClosed();
  });

  it('[MQTT-3.8.3-3] does not send a No Local subscriber its own messages', async () => {
    const broker = await fixture.broker();
    const chatty = await fixture.client(broker, { version: 5, clientId: 'chatty' });
    const other = await fixture.client(broker, { version: 5, clientId: 'other' });
    await chatty.subscribeAsync('room', { qos: 1, nl: true });
    await other.subscribeAsync('room', { qos: 1, nl: true });
    await chatty.publishAsync('room', 'from chatty', { qos: 1 });
    await other.publishAsync('room', 'from other', { qos: 1 });
    expect((await inboxOf(chatty).next()).payload).toBe('from other');
    expect((await inboxOf(other).next()).payload).toBe('from chatty');
    expect(inboxOf(chatty).messages).toHaveLength(1);
  });
});
