// What a 5.0 message carries through the broker: properties passed on unaltered, Message Expiry.
import { describe, expect, it } from 'vitest';
import { Fixture, inboxOf, logOf } from './helpers';

const fixture = new Fixture();

describe('MQTT 5.0 message properties', () => {
  it('passes on user properties in order, content type, payload format, response topic and correlation data', async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('rpc/#', { qos: 1 });
    const raw = await fixture.rawConnected(broker, 5, 'requester');
    raw.send({
      type: 'publish',
      topic: 'rpc/request',
      payload: new TextEncoder().encode('{"op":1}'),
      qos: 1,
      dup: false,
      retain: false,
      packetId: 1,
      properties: {
        payloadFormatIndicator: true,
        contentType: 'application/json',
        responseTopic: 'rpc/reply/requester',
        correlationData: new Uint8Array([1, 2, 3]),
        userProperties: [
          ['z', 'last-name-first'],
          ['a', '1'],
          ['a', '2'],
        ],
      },
    });
    await raw.next('puback');
    const { packet } = await inboxOf(subscriber).next();
    // [MQTT-3.3.2-4], [MQTT-3.3.2-20], [MQTT-3.3.2-15], [MQTT-3.3.2-16]
    expect(packet.properties).toMatchObject({
      payloadFormatIndicator: true,
      contentType: 'application/json',
      responseTopic: 'rpc/reply/requester',
      correlationData: Buffer.from([1, 2, 3]),
    });
    // [MQTT-3.3.2-17], [MQTT-3.3.2-18]: MQTT.js folds repeated names into an array, in order.
    expect(packet.properties?.userProperties).toEqual({ z: 'last-name-first', a: ['1', '2'] });
  });

  it('gives a 3.1.1 subscriber the message of a 5.0 publisher, without properties', async () => {
    const broker = await fixture.broker();
    const old = await fixture.client(broker, { version: 4, clientId: 'old' });
    await old.subscribeAsync('mixed', { qos: 1 });
    const modern = await fixture.client(broker, { version: 5, clientId: 'modern' });
    await modern.publishAsync('mixed', 'hello', {
      qos: 1,
      properties: { contentType: 'text/plain', userProperties: { a: 'b' }, messageExpiryInterval: 60 },
    });
    const message = await inboxOf(old).next();
    expect([message.payload, message.packet.properties]).toEqual(['hello', undefined]);
  });

  it('[MQTT-3.3.2-5] [MQTT-3.3.2-6] drops queued messages once expired and sends the others with the time left', async () => {
    const broker = await fixture.broker();
    const options = { version: 5 as const, clientId: 'away', clean: false, properties: { sessionExpiryInterval: 60 } };
    const away = await fixture.client(broker, options);
    await away.subscribeAsync('expiring/#', { qos: 1 });
    await away.endAsync();
    await logOf(broker).waitFor(/^away disconnected/);
    const publisher = await fixture.client(broker, { version: 5, clientId: 'publisher' });
    await publisher.publishAsync('expiring/short', 'short', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await publisher.publishAsync('expiring/long', 'long', { qos: 1, properties: { messageExpiryInterval: 60 } });
    // The interval is in whole seconds: the only way to see one pass is to let it pass.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const back = await fixture.client(broker, options);
    const message = await inboxOf(back).next();
    expect(message.payload).toBe('long');
    expect(message.packet.properties?.messageExpiryInterval).toBeLessThanOrEqual(59);
    await back.subscribeAsync('probe', { qos: 1 }); // a round trip: "short" would have come first
    expect(inboxOf(back).messages.map((m) => m.payload)).toEqual(['long']);
  });
});
