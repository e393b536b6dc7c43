// Topic aliases from the broker to a 5.0 client that allows them: the raw client sees exactly
// which PUBLISH carries a topic and which an alias; MQTT.js shows a third-party client resolves
// them.
import { describe, expect, it } from 'vitest';
import type { PublishPacket } from '@courier/core';
import { Fixture, inboxOf, type RawClient, text } from './helpers';

const fixture = new Fixture();

function publish(topic: string, payload: string | Uint8Array, qos: 0 | 1 | 2 = 0): PublishPacket {
  return { type: 'publish', topic, payload: typeof payload === 'string' ? text(payload) : payload, qos, dup: false, retain: false, ...(qos > 0 ? { packetId: 1 } : {}) };
}

/** The topic and alias of the next `count` PUBLISH the raw client receives, acknowledged as they come. */
async function nextPublishes(raw: RawClient, count: number): Promise<[string, number | undefined][]> {
  const seen: [string, number | undefined][] = [];
  for (let i = 0; i < count; i++) {
    const packet = await raw.next('publish');
    if (packet.qos === 1) raw.send({ type: 'puback', packetId: packet.packetId! });
    seen.push([packet.topic, packet.properties?.topicAlias]);
  }
  return seen;
}

describe('outgoing topic aliases', () => {
  it('[MQTT-3.3.2-11] gives aliases up to the client\'s Topic Alias Maximum, topic and alias first, then the alias alone', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.rawConnected(broker, 5, 'subscriber', { properties: { topicAliasMaximum: 2 } });
    subscriber.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: '#', qos: 1 }] });
    await subscriber.next('suback');
    const publisher = await fixture.rawConnected(broker, 5, 'publisher');
    for (const [topic, qos] of [['a', 0], ['a', 1], ['b', 1], ['c', 0], ['a', 0], ['c', 1], ['b', 0]] as const) {
      publisher.send(publish(topic, 'x', qos));
    }
    expect(await nextPublishes(subscriber, 7)).toEqual([
      ['a', 1],
      ['', 1],
      ['b', 2],
      ['c', undefined],
      ['', 1],
      ['c', undefined],
      ['', 2],
    ]);
  });

  it('[MQTT-3.3.2-7] starts again on a new connection: a message resent after a reconnect carries its topic', async () => {
    const broker = await fixture.broker();
    const connect = { clean: false, properties: { topicAliasMaximum: 5, sessionExpiryInterval: 60 } };
    let subscriber = await fixture.rawConnected(broker, 5, 'subscriber', connect);
    subscriber.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't/#', qos: 1 }] });
    await subscriber.next('suback');
    const publisher = await fixture.rawConnected(broker, 5, 'publisher');
    publisher.send(publish('t/1', 'first', 1));
    publisher.send(publish('t/1', 'second', 1));
    const first = await subscriber.next('publish');
    expect([first.topic, first.properties?.topicAlias]).toEqual(['t/1', 1]);
    const second = await subscriber.next('publish'); // not acknowledged: resent after the reconnect
    expect([second.topic, second.properties?.topicAlias]).toEqual(['', 1]);
    subscriber.destroy();
    subscriber = await fixture.rawConnected(broker, 5, 'subscriber', connect);
    const resent = await subscriber.next('publish');
    expect([resent.topic, resent.properties?.topicAlias, resent.dup, resent.packetId]).toEqual(['t/1', 1, true, first.packetId]);
  });

  it('never uses an alias the client did not learn: a PUBLISH too large for the client does not set one', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.rawConnected(broker, 5, 'subscriber', { properties: { topicAliasMaximum: 3, maximumPacketSize: 64 } });
    subscriber.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: '#', qos: 0 }] });
    await subscriber.next('suback');
    const publisher = await fixture.rawConnected(broker, 5, 'publisher');
    publisher.send(publish('big', new Uint8Array(100)));
    publisher.send(publish('big', 'small'));
    publisher.send(publish('big', 'small again'));
    expect(await nextPublishes(subscriber, 2)).toEqual([
      ['big', 1],
      ['', 1],
    ]);
  });

  it.each([
    ['a 5.0 client with no Topic Alias Maximum', 5, {}],
    ['a 5.0 client with Topic Alias Maximum 0', 5, { properties: { topicAliasMaximum: 0 } }],
    ['a 3.1.1 client', 4, {}],
  ] as const)('uses none towards %s', async (_, version, extra) => {
    const broker = await fixture.broker();
    const subscriber = await fixture.rawConnected(broker, version, 'subscriber', extra);
    subscriber.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: '#', qos: 0 }] });
    await subscriber.next('suback');
    const publisher = await fixture.rawConnected(broker, 5, 'publisher');
    for (let i = 0; i < 3; i++) publisher.send(publish('same', 'x'));
    expect(await nextPublishes(subscriber, 3)).toEqual([
      ['same', undefined],
      ['same', undefined],
      ['same', undefined],
    ]);
  });

  it('MQTT.js, allowing 2 aliases, receives every message under its topic', async () => {
    const broker = await fixture.broker();
    const aliased: number[] = [];
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'mqttjs', properties: { topicAliasMaximum: 2 } });
    subscriber.on('packetreceive', (packet) => {
      if (packet.cmd === 'publish' && packet.properties?.topicAlias !== undefined) aliased.push(packet.properties.topicAlias);
    });
    await subscriber.subscribeAsync('fleet/#', { qos: 1 });
    const publisher = await fixture.rawConnected(broker, 5, 'publisher');
    const topics = ['fleet/truck-1/position', 'fleet/truck-2/position', 'fleet/truck-3/position'];
    const sent = [0, 1, 0, 2, 1, 0, 2].map((i, n) => [topics[i]!, `m${n}`] as const);
    for (const [topic, payload] of sent) publisher.send(publish(topic, payload, 1));
    const received = await inboxOf(subscriber).count(sent.length);
    expect(received.map((m) => [m.topic, m.payload])).toEqual(sent);
    expect(aliased).toEqual([1, 2, 1, 2, 1]);
  });
});
