// Messages from the broker to a client: the in-flight window (Receive Maximum), the queue behind
// it, the client's Maximum Packet Size, the QoS 2 acknowledgements, and a consumer that stops
// reading. The subscriber is the raw client, which acknowledges only when told to.
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { Broker } from '@courier/broker';
import { decodeText, Fixture, logOf, type RawClient, recordTap } from './helpers';

const fixture = new Fixture();

async function subscribed(broker: Broker, version: 4 | 5, extra = {}, qos: 0 | 1 | 2 = 1): Promise<RawClient> {
  const raw = await fixture.rawConnected(broker, version, 'consumer', extra);
  raw.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'flow/#', qos }] });
  await raw.next('suback');
  return raw;
}

async function publishAll(publisher: MqttClient, count: number, qos: 0 | 1 | 2 = 1): Promise<void> {
  for (let i = 1; i <= count; i++) await publisher.publishAsync('flow/x', `m${i}`, { qos });
}

function sentTo(events: ReturnType<typeof recordTap>, clientId: string): string[] {
  return events.flatMap((e) =>
    e.direction === 'out' && e.clientId === clientId && e.packet.type === 'publish' ? [decodeText(e.packet.payload)] : [],
  );
}

describe('the in-flight window', () => {
  it('[MQTT-3.3.4-9] sends no more unacknowledged QoS 1/2 messages than the client Receive Maximum; the rest wait in order', async () => {
    const broker = await fixture.broker();
    const events = recordTap(broker);
    const consumer = await subscribed(broker, 5, { properties: { receiveMaximum: 2 } });
    const publisher = await fixture.client(broker, { version: 5, clientId: 'publisher' });
    // Each publish is routed before its PUBACK, so once they are all acknowledged the broker has
    // decided about all five.
    await publishAll(publisher, 5);
    expect(sentTo(events, 'consumer')).toEqual(['m1', 'm2']);

    const first = await consumer.next('publish');
    consumer.send({ type: 'puback', packetId: first.packetId! });
    expect(decodeText((await consumer.next('publish')).payload)).toBe('m2');
    expect(decodeText((await consumer.next('publish')).payload)).toBe('m3');
    expect(sentTo(events, 'consumer')).toEqual(['m1', 'm2', 'm3']);
  });

  it('[MQTT-3.3.4-10] does not hold back other packets while the window is full', async () => {
    const broker = await fixture.broker();
    const consumer = await subscribed(broker, 5, { properties: { receiveMaximum: 1 } });
    const publisher = await fixture.client(broker, { version: 5, clientId: 'publisher' });
    await publishAll(publisher, 3);
    consumer.send({ type: 'pingreq' });
    consumer.send({ type: 'subscribe', packetId: 2, subscriptions: [{ topicFilter: 'other', qos: 0 }] });
    await consumer.next('pingresp');
    await consumer.next('suback');
  });

  it('applies maxInflightMessages to 3.1.1 clients, which have no Receive Maximum', async () => {
    const broker = await fixture.broker({ maxInflightMessages: 2 });
    const events = recordTap(broker);
    await subscribed(broker, 4);
    const publisher = await fixture.client(broker, { version: 4, clientId: 'publisher' });
    await publishAll(publisher, 4);
    expect(sentTo(events, 'consumer')).toEqual(['m1', 'm2']);
  });

  it('bounds what waits behind a full window at maxQueuedMessages and drops the newest', async () => {
    const broker = await fixture.broker({ maxQueuedMessages: 2 });
    const consumer = await subscribed(broker, 5, { properties: { receiveMaximum: 1 } });
    const publisher = await fixture.client(broker, { version: 5, clientId: 'publisher' });
    await publishAll(publisher, 6);
    await logOf(broker).waitFor(/^consumer: queue full \(2 messages\)/);
    const received: string[] = [];
    for (let i = 0; i < 3; i++) {
      const message = await consumer.next('publish');
      received.push(decodeText(message.payload));
      consumer.send({ type: 'puback', packetId: message.packetId! });
    }
    expect(received).toEqual(['m1', 'm2', 'm3']);
  });

  it('[MQTT-4.4.0-2] a PUBREC of 0x80 or more ends the flow and frees its place', async () => {
    const broker = await fixture.broker();
    const consumer = await subscribed(broker, 5, { properties: { receiveMaximum: 1 } }, 2);
    const publisher = await fixture.client(broker, { version: 5, clientId: 'publisher' });
    await publishAll(publisher, 2, 2);
    const first = await consumer.next('publish');
    consumer.send({ type: 'pubrec', packetId: first.packetId!, reasonCode: 0x80 });
    const second = await consumer.next('publish');
    expect(decodeText(second.payload)).toBe('m2');
    expect(consumer.received.filter((p) => p.type === 'pubrel')).toEqual([]);
  });
});

describe.each([4, 5] as const)('QoS 2 towards an MQTT version %i client', (version) => {
  it('[MQTT-4.3.3-4] answers PUBREC with PUBREL, again if PUBREC repeats, and PUBCOMP frees the window', async () => {
    const broker = await fixture.broker({ maxInflightMessages: 1 });
    const consumer = await subscribed(broker, version, {}, 2);
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await publishAll(publisher, 2, 2);
    const first = await consumer.next('publish');
    consumer.send({ type: 'pubrec', packetId: first.packetId! });
    expect(await consumer.next('pubrel')).toMatchObject({ packetId: first.packetId });
    consumer.send({ type: 'pubrec', packetId: first.packetId! });
    expect(await consumer.next('pubrel')).toMatchObject({ packetId: first.packetId });
    consumer.send({ type: 'pubcomp', packetId: first.packetId! });
    expect(decodeText((await consumer.next('publish')).payload)).toBe('m2');
  });

  it('answers a PUBREC for an id not in flight with PUBREL (5.0: 0x92)', async () => {
    const broker = await fixture.broker();
    const consumer = await subscribed(broker, version, {}, 2);
    consumer.send({ type: 'pubrec', packetId: 4242 });
    expect(await consumer.next('pubrel')).toMatchObject({ packetId: 4242, reasonCode: version === 5 ? 0x92 : 0 });
  });
});

it('[MQTT-3.1.2-24] [MQTT-3.1.2-25] does not send a message larger than the client Maximum Packet Size, as if it were delivered', async () => {
  const broker = await fixture.broker();
  const events = recordTap(broker);
  const log = logOf(broker);
  const consumer = await subscribed(broker, 5, { properties: { maximumPacketSize: 200, receiveMaximum: 1 } });
  const publisher = await fixture.client(broker, { version: 5, clientId: 'publisher' });
  await publisher.publishAsync('flow/big', 'x'.repeat(300), { qos: 1 });
  await publisher.publishAsync('flow/small', 'fits', { qos: 1 });
  // With a window of 1, "fits" goes out only if the big one is not held in flight.
  expect(decodeText((await consumer.next('publish')).payload)).toBe('fits');
  expect(sentTo(events, 'consumer')).toEqual(['fits']);
  // Not silently: the log says so.
  await log.waitFor(/^consumer: a 3\d\d-byte PUBLISH exceeds the maximum packet size of 200 bytes; not sent$/);
});

it("applies the broker's own maximumPacketSize to what it sends, too", async () => {
  const broker = await fixture.broker({ maximumPacketSize: 100 });
  const events = recordTap(broker);
  const consumer = await fixture.rawConnected(broker, 5, 'consumer');
  // The largest subscription identifier adds 6 bytes to each message sent for this subscription.
  consumer.send({
    type: 'subscribe',
    packetId: 1,
    subscriptions: [{ topicFilter: 'flow/#', qos: 0 }],
    properties: { subscriptionIdentifier: 268_435_455 },
  });
  await consumer.next('suback');
  const publisher = await fixture.rawConnected(broker, 4, 'publisher');
  const publish = (payload: number) =>
    ({ type: 'publish', topic: 'flow/x', payload: new Uint8Array(payload), qos: 1, dup: false, retain: false, packetId: payload }) as const;
  publisher.send(publish(88)); // 100 bytes in: accepted, but 106 bytes out
  publisher.send(publish(10));
  await publisher.next('puback');
  await publisher.next('puback');
  expect((await consumer.next('publish')).payload.length).toBe(10);
  expect(sentTo(events, 'consumer')).toHaveLength(1);
});

it('holds back a consumer that stops reading: its queue stays bounded and the others keep going', async () => {
  const broker = await fixture.broker({ maxQueuedMessages: 10 });
  const consumer = await subscribed(broker, 4, {}, 0);
  consumer.socket.pause(); // stops reading: the kernel buffers fill, then the broker's
  const fast = await fixture.client(broker, { version: 4, clientId: 'fast' });
  await fast.subscribeAsync('flow/#', { qos: 0 });
  const publisher = await fixture.client(broker, { version: 4, clientId: 'publisher' });
  const chunk = 'x'.repeat(60_000);
  let published = 0;
  const log = logOf(broker);
  // Publish until the broker says it drops for the paused consumer (tens of MB at most: the
  // kernel's socket buffers on loopback take a few MB first).
  while (!log.lines.some((line) => line.startsWith('consumer: queue full')) && published < 2000) {
    await publisher.publishAsync('flow/big', chunk, { qos: 1 });
    published++;
  }
  expect(log.lines.some((line) => line.startsWith('consumer: queue full (10 messages)'))).toBe(true);
  await fast.subscribeAsync('probe', { qos: 1 }); // the broker still serves everyone else
});
