// Wills (3.1.2.5, 3.1.3.2): published when a connection ends without a normal DISCONNECT, after
// the will delay (5.0). The broker logs "disconnected" and then publishes the will in the same
// step, so once the log line is seen a will that was due has been published.
import { describe, expect, it } from 'vitest';
import { connackOf, Fixture, inboxOf, logOf } from './helpers';

const fixture = new Fixture();

const will = { topic: 'wills/dead', payload: Buffer.from('gone'), qos: 1 as const, retain: false };

describe.each([4, 5] as const)('MQTT version %i', (version) => {
  it('[MQTT-3.1.2-8] publishes the will when the connection is lost', async () => {
    const broker = await fixture.broker();
    const watcher = await fixture.client(broker, { version, clientId: 'watcher' });
    await watcher.subscribeAsync('wills/#', { qos: 2 });
    await fixture.client(broker, { version, clientId: 'mortal', will });

    expect(broker.dropClient('mortal')).toBe(true);
    const message = await inboxOf(watcher).next();
    expect([message.topic, message.payload, message.packet.qos]).toEqual(['wills/dead', 'gone', 1]);
  });

  it('[MQTT-3.14.4-3] discards the will on a normal DISCONNECT', async () => {
    const broker = await fixture.broker();
    const log = logOf(broker);
    const client = await fixture.client(broker, { version, clientId: 'polite', will });
    await client.endAsync();
    await log.waitFor(/^polite disconnected \(DISCONNECT\)/);
    expect(log.lines.filter((line) => line.startsWith('will of'))).toEqual([]);
  });

  it('[MQTT-3.1.2-15] publishes a will with Will Retain as a retained message', async () => {
    const broker = await fixture.broker();
    await fixture.client(broker, { version, clientId: 'mortal', will: { ...will, retain: true } });
    broker.dropClient('mortal');
    await logOf(broker).waitFor(/^will of mortal published/);
    const late = await fixture.client(broker, { version, clientId: 'late' });
    await late.subscribeAsync('wills/dead', { qos: 1 });
    const message = await inboxOf(late).next();
    expect([message.payload, message.packet.retain]).toEqual(['gone', true]);
  });

  it('publishes the will when the broker closes the connection for a protocol error', async () => {
    const broker = await fixture.broker();
    const watcher = await fixture.client(broker, { version, clientId: 'watcher' });
    await watcher.subscribeAsync('wills/#', { qos: 1 });
    const raw = await fixture.rawConnected(broker, version, 'rude', {
      will: { topic: 'wills/rude', payload: new Uint8Array([1]), qos: 0, retain: false },
    });
    raw.send({ type: 'connect', protocolVersion: version, clientId: 'rude', clean: true, keepAlive: 0 }); // [MQTT-3.1.0-2]
    await raw.waitClosed();
    expect((await inboxOf(watcher).next()).topic).toBe('wills/rude');
  });
});

describe('MQTT 5.0 wills', () => {
  it('publishes the will after DISCONNECT with reason 0x04 (Disconnect with Will Message)', async () => {
    const broker = await fixture.broker();
    const watcher = await fixture.client(broker, { version: 5, clientId: 'watcher' });
    await watcher.subscribeAsync('wills/#', { qos: 1 });
    const raw = await fixture.rawConnected(broker, 5, 'leaver', {
      will: { topic: 'wills/leaver', payload: new Uint8Array([7]), qos: 1, retain: false },
    });
    raw.send({ type: 'disconnect', reasonCode: 0x04 });
    expect((await inboxOf(watcher).next()).topic).toBe('wills/leaver');
  });

  it('[MQTT-3.1.2-8] waits for the Will Delay Interval before publishing', async () => {
    const broker = await fixture.broker();
    const log = logOf(broker);
    const watcher = await fixture.client(broker, { version: 5, clientId: 'watcher' });
    await watcher.subscribeAsync('wills/#', { qos: 1 });
    await fixture.client(broker, {
      version: 5,
      clientId: 'delayed',
      properties: { sessionExpiryInterval: 60 },
      will: { ...will, properties: { willDelayInterval: 1 } },
    });
    const droppedAt = Date.now();
    broker.dropClient('delayed');
    await log.waitFor(/^delayed disconnected/);
    expect(log.lines.some((line) => line.startsWith('will of delayed'))).toBe(false);

    await inboxOf(watcher).next();
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(950);
  });

  it('[MQTT-3.1.3-9] does not publish the will when the client reconnects within the delay', async () => {
    const broker = await fixture.broker();
    const log = logOf(broker);
    const options = {
      version: 5 as const,
      clientId: 'returning',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
      will: { ...will, properties: { willDelayInterval: 1 } },
    };
    await fixture.client(broker, options);
    broker.dropClient('returning');
    await log.waitFor(/^returning disconnected/);
    const back = await fixture.client(broker, options);
    expect(connackOf(back).sessionPresent).toBe(true);
    // Nothing else can show that something did not happen: wait out the delay (1 s), once.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(log.lines.some((line) => line.startsWith('will of returning'))).toBe(false);
  });

  it('[MQTT-3.1.2-8] publishes the will when the session ends, if that comes before the delay', async () => {
    const broker = await fixture.broker();
    const watcher = await fixture.client(broker, { version: 5, clientId: 'watcher' });
    await watcher.subscribeAsync('wills/#', { qos: 1 });
    await fixture.client(broker, {
      version: 5,
      clientId: 'short-lived',
      properties: { sessionExpiryInterval: 0 },
      will: { ...will, properties: { willDelayInterval: 3600 } },
    });
    broker.dropClient('short-lived');
    expect((await inboxOf(watcher).next()).payload).toBe('gone');
  });

  it('[MQTT-3.1.3-10] passes the will properties on, user properties in order', async () => {
    const broker = await fixture.broker();
    const watcher = await fixture.client(broker, { version: 5, clientId: 'watcher' });
    await watcher.subscribeAsync('wills/#', { qos: 1 });
    await fixture.client(broker, {
      version: 5,
      clientId: 'described',
      will: {
        ...will,
        properties: {
          contentType: 'text/plain',
          responseTopic: 'replies/x',
          userProperties: { b: '2', a: '1' },
        },
      },
    });
    broker.dropClient('described');
    const { packet } = await inboxOf(watcher).next();
    expect(packet.properties?.contentType).toBe('text/plain');
    expect(packet.properties?.responseTopic).toBe('replies/x');
    expect(Object.keys(packet.properties?.userProperties ?? {})).toEqual(['b', 'a']);
  });

  it('on takeover of a session that ends (Clean Start), publishes the old will', async () => {
    const broker = await fixture.broker();
    const watcher = await fixture.client(broker, { version: 5, clientId: 'watcher' });
    await watcher.subscribeAsync('wills/#', { qos: 1 });
    await fixture.client(broker, { version: 5, clientId: 'taken', properties: { sessionExpiryInterval: 60 }, will });
    await fixture.client(broker, { version: 5, clientId: 'taken', clean: true });
    expect((await inboxOf(watcher).next()).payload).toBe('gone');
  });
});
