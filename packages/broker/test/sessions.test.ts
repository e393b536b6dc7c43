// Sessions: Clean Session / Clean Start, Session Expiry, offline queues, resend on reconnect,
// takeover. "Disconnected" is always awaited on the broker's own log line, so that a publish
// made next cannot race the broker's handling of the DISCONNECT.
import { describe, expect, it } from 'vitest';
import { closedOf, connackOf, Fixture, inboxOf, logOf, text } from './helpers';

const fixture = new Fixture();

describe.each([
  { version: 4 as const, name: 'MQTT 3.1.1', persistent: { clean: false } },
  { version: 5 as const, name: 'MQTT 5.0', persistent: { clean: false, properties: { sessionExpiryInterval: 300 } } },
])('$name', ({ version, persistent }) => {
  it('[MQTT-3.1.2-5] a persistent session keeps its subscriptions and queues QoS 1 and 2 (not 0) while offline', async () => {
    const broker = await fixture.broker();
    const log = logOf(broker);
    const first = await fixture.client(broker, { version, clientId: 'keeper', ...persistent });
    expect(connackOf(first).sessionPresent).toBe(false);
    await first.subscribeAsync('offline/#', { qos: 2 });
    await first.endAsync();
    await log.waitFor(/^keeper disconnected/);

    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await publisher.publishAsync('offline/a', 'qos0', { qos: 0 });
    await publisher.publishAsync('offline/b', 'qos1', { qos: 1 });
    await publisher.publishAsync('offline/c', 'qos2', { qos: 2 });

    const again = await fixture.client(broker, { version, clientId: 'keeper', ...persistent });
    expect(connackOf(again).sessionPresent).toBe(true);
    const messages = await inboxOf(again).count(2);
    expect(messages.map((m) => [m.topic, m.payload, m.packet.qos])).toEqual([
      ['offline/b', 'qos1', 1],
      ['offline/c', 'qos2', 2],
    ]);
    // The subscription is still there without subscribing again.
    await publisher.publishAsync('offline/d', 'live', { qos: 1 });
    expect((await inboxOf(again).count(3))[2]!.payload).toBe('live');
  });

  it('[MQTT-3.1.2-4] Clean Start / Clean Session discards the session', async () => {
    const broker = await fixture.broker();
    const log = logOf(broker);
    const first = await fixture.client(broker, { version, clientId: 'forgetful', ...persistent });
    await first.subscribeAsync('gone/#', { qos: 1 });
    await first.endAsync();
    await log.waitFor(/^forgetful disconnected/);
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await publisher.publishAsync('gone/a', 'queued', { qos: 1 });

    const clean = await fixture.client(broker, { version, clientId: 'forgetful', clean: true });
    expect(connackOf(clean).sessionPresent).toBe(false); // [MQTT-3.2.2-2]
    await clean.endAsync();
    await log.waitFor(/^forgetful disconnected/, 2);
    const resumed = await fixture.client(broker, { version, clientId: 'forgetful', ...persistent });
    expect(connackOf(resumed).sessionPresent).toBe(false);
    await publisher.publishAsync('gone/a', 'not subscribed', { qos: 1 });
    // Round trip through the same client: had the old subscription survived, the first message
    // would have come before this one.
    await resumed.subscribeAsync('probe', { qos: 1 });
    await publisher.publishAsync('probe', 'probe', { qos: 1 });
    expect((await inboxOf(resumed).count(1)).map((m) => m.payload)).toEqual(['probe']);
  });

  it('bounds the offline queue at maxQueuedMessages and drops what comes after', async () => {
    const broker = await fixture.broker({ maxQueuedMessages: 3 });
    const log = logOf(broker);
    const first = await fixture.client(broker, { version, clientId: 'slow', ...persistent });
    await first.subscribeAsync('bounded', { qos: 1 });
    await first.endAsync();
    await log.waitFor(/^slow disconnected/);
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    for (let i = 1; i <= 5; i++) await publisher.publishAsync('bounded', `m${i}`, { qos: 1 });
    await log.waitFor(/^slow: queue full \(3 messages\)/);

    const again = await fixture.client(broker, { version, clientId: 'slow', ...persistent });
    await inboxOf(again).count(3);
    await publisher.publishAsync('bounded', 'after', { qos: 1 });
    const messages = await inboxOf(again).count(4);
    expect(messages.map((m) => m.payload)).toEqual(['m1', 'm2', 'm3', 'after']);
  });

  it('[MQTT-4.4.0-1] on reconnect resends unacknowledged PUBLISH with DUP=1 and PUBREL for released ones, in order', async () => {
    const broker = await fixture.broker();
    const sessionProperties = version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {};
    const raw = await fixture.rawConnected(broker, version, 'raw', { clean: false, ...sessionProperties });
    raw.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'resend/#', qos: 2 }] });
    await raw.next('suback');
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await publisher.publishAsync('resend/1', 'one', { qos: 1 });
    await publisher.publishAsync('resend/2', 'two', { qos: 2 });
    await publisher.publishAsync('resend/3', 'three', { qos: 2 });
    const one = await raw.next('publish');
    const two = await raw.next('publish');
    const three = await raw.next('publish');
    raw.send({ type: 'pubrec', packetId: three.packetId! }); // released: the broker owes PUBREL only
    const pubrel = await raw.next('pubrel');
    expect(pubrel.packetId).toBe(three.packetId);
    raw.destroy();
    await logOf(broker).waitFor(/^raw disconnected/);

    const back = await fixture.rawConnected(broker, version, 'raw', { clean: false, ...sessionProperties });
    const resent = [await back.next(), await back.next(), await back.next()];
    expect(resent.map((p) => [p.type, 'packetId' in p ? p.packetId : undefined, p.type === 'publish' ? p.dup : undefined])).toEqual([
      ['publish', one.packetId, true],
      ['publish', two.packetId, true],
      ['pubrel', three.packetId, undefined],
    ]);
    expect(resent.slice(0, 2).map((p) => (p.type === 'publish' ? p.qos : -1))).toEqual([1, 2]);
  });

  it('[MQTT-3.1.4-3] a second connection with the same client id takes the session over', async () => {
    const broker = await fixture.broker();
    const first = await fixture.client(broker, { version, clientId: 'twin', ...persistent });
    await first.subscribeAsync('twin/#', { qos: 1 });
    const disconnect = new Promise<number | undefined>((resolve) => first.once('disconnect', (p) => resolve(p.reasonCode)));
    const closed = closedOf(first);

    const second = await fixture.client(broker, { version, clientId: 'twin', ...persistent });
    await closed;
    if (version === 5) expect(await disconnect).toBe(0x8e);
    expect(connackOf(second).sessionPresent).toBe(true);
    const publisher = await fixture.client(broker, { version, clientId: 'publisher' });
    await publisher.publishAsync('twin/x', 'to the new connection', { qos: 1 });
    expect((await inboxOf(second).next()).payload).toBe('to the new connection');
    expect(inboxOf(first).messages).toEqual([]);
  });
});

describe('MQTT 5.0 Session Expiry Interval', () => {
  it('[MQTT-4.1.0-2] ends the session once the interval has passed', async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker, { version: 5, clientId: 'brief', properties: { sessionExpiryInterval: 1 } });
    await client.subscribeAsync('x', { qos: 1 });
    await client.endAsync();
    await logOf(broker).waitFor(/^brief: session expired after 1 s/);
    const again = await fixture.client(broker, { version: 5, clientId: 'brief', clean: false });
    expect(connackOf(again).sessionPresent).toBe(false);
  });

  it('[MQTT-3.1.2-23] keeps the session until then', async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker, { version: 5, clientId: 'kept', properties: { sessionExpiryInterval: 60 } });
    await client.endAsync();
    await logOf(broker).waitFor(/^kept disconnected/);
    const again = await fixture.client(broker, { version: 5, clientId: 'kept', clean: false });
    expect(connackOf(again).sessionPresent).toBe(true);
  });

  it('ends the session with the connection when the interval is 0 (the default)', async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker, { version: 5, clientId: 'zero', clean: false });
    await client.endAsync();
    await logOf(broker).waitFor(/^zero disconnected/);
    const again = await fixture.client(broker, { version: 5, clientId: 'zero', clean: false });
    expect(connackOf(again).sessionPresent).toBe(false);
  });

  it('grants at most maximumSessionExpiryInterval and says so in CONNACK', async () => {
    const broker = await fixture.broker({ maximumSessionExpiryInterval: 30 });
    const client = await fixture.client(broker, { version: 5, clientId: 'capped', properties: { sessionExpiryInterval: 3600 } });
    expect(connackOf(client).properties?.sessionExpiryInterval).toBe(30);
  });

  it('a DISCONNECT can shorten the interval to 0, ending the session', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, 5, 'shortened', { clean: false, properties: { sessionExpiryInterval: 300 } });
    raw.send({ type: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 0 } });
    await raw.waitClosed();
    await logOf(broker).waitFor(/^shortened disconnected/);
    const again = await fixture.client(broker, { version: 5, clientId: 'shortened', clean: false });
    expect(connackOf(again).sessionPresent).toBe(false);
  });

  it('a DISCONNECT may not set an interval when CONNECT set 0 (protocol error 0x82)', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, 5, 'sneaky');
    raw.send({ type: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 300 } });
    const disconnect = await raw.next('disconnect');
    expect(disconnect.reasonCode).toBe(0x82);
    await raw.waitClosed();
  });
});

describe('client identifiers', () => {
  it('[MQTT-3.2.2-16] assigns an id to a 5.0 client that sent none, and returns it in CONNACK', async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker, { version: 5, clientId: '' });
    const assigned = connackOf(client).properties?.assignedClientIdentifier;
    expect(assigned).toMatch(/^courier-/);
    await logOf(broker).waitFor(new RegExp(`^${assigned} connected`));
  });

  it('accepts an empty id from a 3.1.1 client with Clean Session', async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker, { version: 4, clientId: '', clean: true });
    expect(connackOf(client).returnCode).toBe(0);
  });

  it('[MQTT-3.1.3-8] (3.1.1) refuses an empty id without Clean Session with return code 0x02', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.raw(broker, 4);
    raw.send({ type: 'connect', protocolVersion: 4, clientId: '', clean: false, keepAlive: 0 });
    const connack = await raw.next('connack');
    expect(connack.reasonCode).toBe(0x02);
    await raw.waitClosed();
  });
});

it('keeps a session across protocol versions: a 3.1.1 session resumed by a 5.0 client gets its queue', async () => {
  const broker = await fixture.broker();
  const first = await fixture.client(broker, { version: 4, clientId: 'switcher', clean: false });
  await first.subscribeAsync('switch', { qos: 1 });
  await first.endAsync();
  await logOf(broker).waitFor(/^switcher disconnected/);
  const publisher = await fixture.client(broker, { version: 4, clientId: 'publisher' });
  await publisher.publishAsync('switch', text('queued') as Buffer, { qos: 1 });
  const again = await fixture.client(broker, { version: 5, clientId: 'switcher', clean: false });
  expect(connackOf(again).sessionPresent).toBe(true);
  expect((await inboxOf(again).next()).payload).toBe('queued');
});
