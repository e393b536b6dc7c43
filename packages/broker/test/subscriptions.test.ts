// Subscribing end to end: wildcards, $ topics, refused filters, replacing and removing
// subscriptions, shared subscriptions. Messages to a subscriber are sent in routing order, so a
// marker message that arrives proves that an earlier one that should not have come did not.
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { Fixture, inboxOf } from './helpers';

const fixture = new Fixture();

async function markerAfter(publisher: MqttClient, subscriber: MqttClient, count: number): Promise<string[]> {
  await publisher.publishAsync('marker', 'marker', { qos: 1 });
  const messages = await inboxOf(subscriber).count(count);
  return messages.map((m) => m.topic);
}

describe.each([4, 5] as const)('MQTT version %i', (version) => {
  it('[MQTT-4.7.1-1] [MQTT-4.7.1-2] matches + within one level and # across the levels below', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version, clientId: 'subscriber' });
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await subscriber.subscribeAsync({ 'sport/+/score': { qos: 1 }, 'news/#': { qos: 1 }, marker: { qos: 1 } });
    for (const topic of ['sport/tennis/score', 'sport/tennis/player/score', 'news', 'news/a/b', 'newsroom', 'sport/score']) {
      await publisher.publishAsync(topic, topic, { qos: 1 });
    }
    expect(await markerAfter(publisher, subscriber, 4)).toEqual(['sport/tennis/score', 'news', 'news/a/b', 'marker']);
  });

  it('[MQTT-4.7.2-1] keeps topics starting with $ out of filters that start with a wildcard', async () => {
    const broker = await fixture.broker();
    const wildcard = await fixture.client(broker, { version, clientId: 'wildcard' });
    const dollar = await fixture.client(broker, { version, clientId: 'dollar' });
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await wildcard.subscribeAsync({ '#': { qos: 1 }, '+/status': { qos: 1 } });
    await dollar.subscribeAsync({ '$app/#': { qos: 1 }, marker: { qos: 1 } });
    await publisher.publishAsync('$app/status', 'internal', { qos: 1 });
    expect(await markerAfter(publisher, dollar, 2)).toEqual(['$app/status', 'marker']);
    expect(await markerAfter(publisher, wildcard, 2)).toEqual(['marker', 'marker']);
  });

  // MQTT.js checks filters itself, so the raw client sends them.
  it('refuses invalid filters one by one in SUBACK and grants the rest (3.8.4, 4.7)', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, version, 'raw');
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    const filters = ['ok/+', 'bad#', 'a/+b', 'ok/#', '$share/g+/x', 'x/#/y'];
    raw.send({
      type: 'subscribe',
      packetId: 9,
      subscriptions: filters.map((topicFilter, i) => ({ topicFilter, qos: i === 3 ? 2 : 1 })),
    });
    const refused = version === 5 ? 0x8f : 0x80;
    expect(await raw.next('suback')).toMatchObject({ packetId: 9, reasonCodes: [1, refused, refused, 2, refused, refused] });
    await publisher.publishAsync('ok/x', 'still served', { qos: 2 });
    const message = await raw.next('publish');
    expect([new TextDecoder().decode(message.payload), message.qos]).toEqual(['still served', 2]);
  });

  it('[MQTT-3.8.4-3] a SUBSCRIBE to the same filter replaces the subscription', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version, clientId: 'subscriber' });
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await subscriber.subscribeAsync('replace', { qos: 2 });
    await subscriber.subscribeAsync('replace', { qos: 0 });
    await publisher.publishAsync('replace', 'once', { qos: 2 });
    await publisher.publishAsync('replace', 'twice', { qos: 2 });
    expect((await inboxOf(subscriber).count(2)).map((m) => [m.payload, m.packet.qos])).toEqual([
      ['once', 0],
      ['twice', 0],
    ]);
  });

  it('[MQTT-3.10.4-1] [MQTT-3.10.4-4] UNSUBSCRIBE removes exactly the named filter and is answered', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version, clientId: 'subscriber' });
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await subscriber.subscribeAsync({ 'un/+': { qos: 1 }, 'un/x': { qos: 1 }, marker: { qos: 1 } });
    await subscriber.unsubscribeAsync('un/+');
    await publisher.publishAsync('un/x', 'exact', { qos: 1 });
    await publisher.publishAsync('un/y', 'wildcard gone', { qos: 1 });
    expect(await markerAfter(publisher, subscriber, 2)).toEqual(['un/x', 'marker']);
  });
});

it('answers a 5.0 UNSUBSCRIBE per filter: 0x00, or 0x11 when there was no such subscription', async () => {
  const broker = await fixture.broker();
  const raw = await fixture.rawConnected(broker, 5, 'raw');
  raw.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0 }] });
  await raw.next('suback');
  raw.send({ type: 'unsubscribe', packetId: 2, topicFilters: ['a', 'b'] });
  expect(await raw.next('unsuback')).toEqual({ type: 'unsuback', packetId: 2, reasonCodes: [0x00, 0x11] });
});

describe('shared subscriptions', () => {
  it('delivers each message to one member of the group, in turn (4.8.2)', async () => {
    const broker = await fixture.broker();
    const one = await fixture.client(broker, { version: 5, clientId: 'one' });
    const two = await fixture.client(broker, { version: 5, clientId: 'two' });
    const plain = await fixture.client(broker, { version: 5, clientId: 'plain' });
    const publisher = await fixture.client(broker, { version: 5, clientId: 'publisher' });
    await one.subscribeAsync('$share/workers/jobs/+', { qos: 1 });
    await two.subscribeAsync('$share/workers/jobs/+', { qos: 1 });
    await plain.subscribeAsync('jobs/+', { qos: 1 });
    for (let i = 1; i <= 4; i++) await publisher.publishAsync(`jobs/${i}`, `job ${i}`, { qos: 1 });

    const all = await inboxOf(plain).count(4);
    expect(all).toHaveLength(4); // a plain subscription still gets its own copy of each
    const first = await inboxOf(one).count(2);
    const second = await inboxOf(two).count(2);
    expect([...first, ...second].map((m) => m.payload).sort()).toEqual(['job 1', 'job 2', 'job 3', 'job 4']);
  });

  it('works for 3.1.1 clients too, as Mosquitto does', async () => {
    const broker = await fixture.broker();
    const member = await fixture.client(broker, { version: 4, clientId: 'member' });
    const publisher = await fixture.client(broker, { version: 4, clientId: 'publisher' });
    const [granted] = await member.subscribeAsync('$share/g/topic', { qos: 1 });
    expect(granted!.qos).toBe(1);
    await publisher.publishAsync('topic', 'shared', { qos: 1 });
    expect((await inboxOf(member).next()).payload).toBe('shared');
  });

  it('[MQTT-3.8.3-4] treats No Local on a shared subscription as a protocol error (DISCONNECT 0x82)', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, 5, 'raw');
    raw.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: '$share/g/a', qos: 0, noLocal: true }] });
    expect((await raw.next('disconnect')).reasonCode).toBe(0x82);
    await raw.waitClosed();
  });
});
