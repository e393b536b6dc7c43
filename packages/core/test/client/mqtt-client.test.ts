import { afterEach, describe, expect, test } from 'vitest';
import {
  createClient,
  MemoryOutbox,
  type CreateClientOptions,
  type Connection,
  type Packet,
  type PublishResult,
  type Transport,
} from '@courier/core';
import { flush, ManualClock } from '@courier/core/testing';
import { ScriptedBroker } from './scripted-broker';
import { endClients, record, setup, track } from './scripted-client';

afterEach(endClients);

/** Makes the broker keep its PUBACKs until `release()` sends them. */
function holdPubacks(broker: ScriptedBroker): () => void {
  const held: number[] = [];
  broker.script = (packet) => {
    if (packet.type !== 'publish') return undefined;
    held.push(packet.packetId!);
    return [];
  };
  return () => {
    for (const packetId of held.splice(0)) broker.send({ type: 'puback', packetId });
  };
}

/** Whether a promise has settled yet, without waiting for it. */
async function state(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let result: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (result = 'resolved'),
    () => (result = 'rejected'),
  );
  await flush();
  return result;
}

describe('connecting', () => {
  test('connects at once and reports it, with the state already committed', async () => {
    const { client } = setup();
    let connectedInHandler = false;
    client.on('connect', () => (connectedInHandler = client.connected));
    const info = await client.whenConnected();
    expect(info).toMatchObject({ sessionPresent: false, protocolVersion: 5 });
    expect(connectedInHandler).toBe(true);
  });

  test('a refusal that retrying cannot fix rejects whenConnected, is reported, and stops reconnecting', async () => {
    const { broker, client, clock } = setup();
    broker.connackCode = 0x86;
    const errors = record(client, 'error');
    await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: 0x86 });
    expect(errors).toEqual([expect.objectContaining({ reasonCode: 0x86 })]);
    await clock.advance(120_000);
    expect(broker.connections).toBe(1);
    await expect(client.whenConnected()).rejects.toMatchObject({ reasonCode: 0x86 });
  });

  test('a transport that never opens (a handshake left unanswered) fails at connectTimeoutMs; if it opens later, it is closed', async () => {
    const opens: ((connection: Connection) => void)[] = [];
    const transport: Transport = { connect: () => new Promise((resolve) => opens.push(resolve)) };
    const clock = new ManualClock();
    const client = createClient({ transport, clock, clientId: 'c1', connectTimeoutMs: 1_000, reconnect: false });
    track(client);
    const connected = client.whenConnected();
    await clock.advance(999);
    expect(await state(connected)).toBe('pending');
    await clock.advance(1);
    await expect(connected).rejects.toMatchObject({ code: 'ERR_CONNECTION', message: expect.stringMatching(/no connection within 1000 ms/) });
    let closed = false;
    opens[0]?.({ write: () => true, close: () => void (closed = true) });
    await flush();
    expect(closed).toBe(true);
  });

  test('a refusal that may pass (server busy) is retried with backoff', async () => {
    const { broker, client, clock } = setup();
    broker.connackCode = 0x89;
    await expect(client.whenConnected()).rejects.toMatchObject({ reasonCode: 0x89 });
    broker.connackCode = 0;
    const connected = client.whenConnected();
    await clock.advance(1_000);
    await expect(connected).resolves.toMatchObject({ sessionPresent: false });
    expect(broker.connections).toBe(2);
  });

  test('a broker that refuses 5.0 gets 3.1.1 on the next attempt, at once, and the client says so', async () => {
    const { broker, client } = setup();
    broker.script = (packet) =>
      packet.type === 'connect' && packet.protocolVersion === 5 ? [{ type: 'connack', sessionPresent: false, reasonCode: 0x84 }] : undefined;
    const warnings = record(client, 'warning');
    await expect(client.whenConnected()).resolves.toMatchObject({ protocolVersion: 4 });
    expect(broker.sent('connect').map((c) => c.protocolVersion)).toEqual([5, 4]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'ERR_FALLBACK_TO_V4' })]);
  });

  test('a broker that closes on a 5.0 CONNECT (RabbitMQ 3.10) gets 3.1.1 on the next attempt, at once, remembered for later connections', async () => {
    const { broker, client, clock } = setup();
    broker.script = (packet, b) => {
      if (packet.type !== 'connect' || packet.protocolVersion !== 5) return undefined;
      queueMicrotask(() => b.hangUp());
      return [];
    };
    const warnings = record(client, 'warning');
    const errors = record(client, 'error');
    await expect(client.whenConnected()).resolves.toMatchObject({ protocolVersion: 4 });
    expect(broker.sent('connect').map((c) => c.protocolVersion)).toEqual([5, 4]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'ERR_FALLBACK_TO_V4' })]);
    expect(errors).toEqual([]);
    broker.drop();
    await clock.advance(1_000);
    await client.whenConnected();
    expect(broker.sent('connect').map((c) => c.protocolVersion)).toEqual([5, 4, 4]);
  });

  test('a broker that spoke 5.0 and then closes before CONNACK is not taken for a 3.1.1 broker', async () => {
    const { broker, client, clock } = setup();
    await client.whenConnected();
    broker.script = (packet, b) => {
      if (packet.type !== 'connect') return undefined;
      queueMicrotask(() => b.hangUp());
      return [];
    };
    const warnings = record(client, 'warning');
    broker.drop();
    await clock.advance(1_000);
    broker.script = undefined;
    await clock.advance(5_000);
    await client.whenConnected();
    expect(warnings).toEqual([]);
    expect(new Set(broker.sent('connect').map((c) => c.protocolVersion))).toEqual(new Set([5]));
  });

  test('reconnects after a lost connection with exponential backoff and full jitter', async () => {
    const { broker, client, clock } = setup({ reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } });
    await client.whenConnected();
    const reconnecting = record(client, 'reconnecting');
    broker.transport.refuseWith = new Error('ECONNREFUSED');
    broker.drop();
    for (let i = 0; i < 6; i++) await clock.advance(1_000);
    // random() = 0.5 of a ceiling of 100, 200, 400, 800, then 1000 (the bound) from there on
    const delays = reconnecting.map((r) => r.delayMs);
    expect(delays.slice(0, 5)).toEqual([50, 100, 200, 400, 500]);
    expect(new Set(delays.slice(4))).toEqual(new Set([500]));
    broker.transport.refuseWith = undefined;
    await clock.advance(1_000);
    expect(client.connected).toBe(true);
  });
});

describe('publishing', () => {
  test('QoS 0 settles once handed to the transport; QoS 1 on PUBACK; QoS 2 on PUBCOMP', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    await expect(client.publish('t', 'zero')).resolves.toEqual({ id: 1, qos: 0 });
    await expect(client.publish('t', 'one', { qos: 1 })).resolves.toMatchObject({ id: 2, qos: 1, packetId: 1, reasonCode: 0 });
    await expect(client.publish('t', 'two', { qos: 2 })).resolves.toMatchObject({ id: 3, qos: 2, packetId: 2 });
    expect(broker.received.map((p) => p.type)).toEqual(['connect', 'publish', 'publish', 'publish', 'pubrel']);
    expect(new TextDecoder().decode(broker.publishes()[1]!.payload)).toBe('one');
  });

  test('a QoS 1 publish does not settle before its PUBACK', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    const release = holdPubacks(broker);
    const published = client.publish('t', 'x', { qos: 1 });
    await broker.waitFor((p) => p.type === 'publish');
    expect(await state(published)).toBe('pending');
    release();
    await expect(published).resolves.toMatchObject({ packetId: 1 });
  });

  test('while offline, QoS 1 and 2 wait in the outbox and go out after the reconnect', async () => {
    const { broker, client, clock } = setup();
    broker.transport.refuseWith = new Error('ECONNREFUSED');
    await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    const one = client.publish('t', 'a', { qos: 1 });
    const two = client.publish('t', 'b', { qos: 2 });
    await flush();
    expect(await client.pending()).toEqual([
      expect.objectContaining({ id: 1, qos: 1, state: 'queued' }),
      expect.objectContaining({ id: 2, qos: 2, state: 'queued' }),
    ]);
    broker.transport.refuseWith = undefined;
    await clock.advance(1_000);
    await expect(Promise.all([one, two])).resolves.toHaveLength(2);
    expect(await client.pending()).toEqual([]);
  });

  test('a 5.0 refusal in PUBACK rejects with the reason code and the ack', async () => {
    const { broker, client } = setup();
    broker.script = (packet) => (packet.type === 'publish' ? [{ type: 'puback', packetId: packet.packetId!, reasonCode: 0x87 }] : undefined);
    await client.whenConnected();
    await expect(client.publish('t', 'x', { qos: 1 })).rejects.toMatchObject({
      code: 'ERR_PUBLISH_REJECTED',
      reasonCode: 0x87,
      ack: { type: 'puback' },
    });
  });

  test('invalid input is refused at once and nothing is queued', async () => {
    const { client } = setup({ protocolVersion: 4 });
    await expect(client.publish('a/+', 'x', { qos: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(client.publish('', 'x')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(client.publish('a', 'x', { qos: 3 as 2 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(client.publish('a', 42 as unknown as string)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(client.publish('a', 'x', { qos: 1, properties: { messageExpiryInterval: 5 } })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    expect(await client.pending()).toEqual([]);
  });

  test('an aborted publish that has not gone out is not sent, and says so', async () => {
    const { broker, client, clock } = setup();
    broker.transport.refuseWith = new Error('ECONNREFUSED');
    const controller = new AbortController();
    const published = client.publish('t', 'x', { qos: 1, signal: controller.signal });
    await flush();
    controller.abort();
    await expect(published).rejects.toMatchObject({ code: 'ERR_ABORTED', sent: false });
    broker.transport.refuseWith = undefined;
    await clock.advance(1_000);
    await client.whenConnected();
    await flush();
    expect(broker.publishes()).toEqual([]);
  });

  test('an abort after the message went out rejects saying so, and delivered(id) still follows it', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    const release = holdPubacks(broker);
    const controller = new AbortController();
    const published = client.publish('t', 'x', { qos: 1, signal: controller.signal });
    await broker.waitFor((p) => p.type === 'publish');
    const delivered = client.delivered(1);
    controller.abort();
    await expect(published).rejects.toMatchObject({ code: 'ERR_ABORTED', sent: true });
    release();
    await expect(delivered).resolves.toMatchObject({ id: 1, packetId: 1 });
  });

  test('an already aborted signal refuses at once', async () => {
    const { client } = setup();
    await expect(client.publish('t', 'x', { qos: 1, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(await client.pending()).toEqual([]);
  });
});

describe('receiving', () => {
  test('subscribe resolves with the granted QoS; messages arrive as events and through messages(filter)', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    await expect(client.subscribe(['a/#', 'b'], { qos: 2 })).resolves.toEqual({ granted: [2, 2], reasonCodes: [2, 2] });
    const events = record(client, 'message');
    const stream = client.messages('a/+');
    broker.send({ type: 'publish', topic: 'b', payload: Uint8Array.of(1), qos: 0, dup: false, retain: false });
    broker.send({ type: 'publish', topic: 'a/x', payload: Uint8Array.of(2), qos: 1, dup: false, retain: true, packetId: 7 });
    const first = await stream.next();
    expect(first.value).toEqual({ topic: 'a/x', payload: Uint8Array.of(2), qos: 1, retain: true, dup: false });
    expect(events.map((m) => m.topic)).toEqual(['b', 'a/x']);
    await broker.waitFor((p) => p.type === 'puback' && p.packetId === 7);
  });

  test('[MQTT-4.3.3-10] a QoS 2 message sent twice before PUBREL is delivered once', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    const events = record(client, 'message');
    const publish = { type: 'publish' as const, topic: 't', payload: Uint8Array.of(9), qos: 2 as const, retain: false, packetId: 3 };
    broker.send({ ...publish, dup: false });
    broker.send({ ...publish, dup: true });
    await broker.waitFor((p) => p.type === 'pubrec' && broker.sent('pubrec').length === 2);
    broker.send({ type: 'pubrel', packetId: 3 });
    await broker.waitFor((p) => p.type === 'pubcomp');
    expect(events).toHaveLength(1);
  });

  test('a message waiting in a messages() stream is not acknowledged until the loop has it; at 1,000 unread delivery is held, then goes on in order as it is read', async () => {
    const { broker, client } = setup({ receiveMaximum: 2_000 });
    await client.whenConnected();
    const warnings = record(client, 'warning');
    const stream = client.messages();
    await flush();
    for (let id = 1; id <= 1_500; id++) broker.send({ type: 'publish', topic: `t/${id}`, payload: Uint8Array.of(1), qos: 1, dup: false, retain: false, packetId: id });
    await flush();
    expect(broker.sent('puback')).toHaveLength(0);
    expect(warnings).toEqual([expect.objectContaining({ code: 'ERR_NO_CONSUMER' })]);
    const topics: string[] = [];
    for (let i = 0; i < 10; i++) topics.push((await stream.next()).value.topic);
    await flush();
    expect(broker.sent('puback').map((p) => p.packetId)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    for (let i = 10; i < 1_500; i++) topics.push((await stream.next()).value.topic);
    expect(topics).toEqual(Array.from({ length: 1_500 }, (_, i) => `t/${i + 1}`));
    await flush();
    expect(broker.sent('puback')).toHaveLength(1_500);
  });

  test('messages(filter, { highWaterMark }) is full at its own mark', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    const warnings = record(client, 'warning');
    const stream = client.messages('t/#', { highWaterMark: 3 });
    await flush();
    for (let id = 1; id <= 5; id++) broker.send({ type: 'publish', topic: `t/${id}`, payload: Uint8Array.of(1), qos: 0, dup: false, retain: false });
    await flush();
    expect(warnings).toEqual([expect.objectContaining({ code: 'ERR_NO_CONSUMER' })]);
    for (let i = 1; i <= 5; i++) expect((await stream.next()).value.topic).toBe(`t/${i}`);
    expect(() => client.messages(undefined, { highWaterMark: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  test('with manualAcks, PUBACK and PUBREC wait for ack(), leave in arrival order, and ack() settles once they are sent', async () => {
    const { broker, client } = setup({ manualAcks: true });
    await client.whenConnected();
    const messages = record(client, 'message');
    await flush();
    broker.send({ type: 'publish', topic: 'a', payload: Uint8Array.of(1), qos: 1, dup: false, retain: false, packetId: 1 });
    broker.send({ type: 'publish', topic: 'b', payload: Uint8Array.of(2), qos: 2, dup: false, retain: false, packetId: 2 });
    broker.send({ type: 'publish', topic: 'c', payload: Uint8Array.of(3), qos: 0, dup: false, retain: false });
    await flush();
    expect(messages.map((m) => m.topic)).toEqual(['a', 'b', 'c']);
    expect(broker.sent('puback')).toHaveLength(0);
    await messages[2]!.ack();
    const second = messages[1]!.ack();
    expect(await state(second)).toBe('pending');
    expect(broker.sent('pubrec')).toHaveLength(0);
    await messages[0]!.ack();
    await second;
    expect(broker.received.filter((p) => p.type === 'puback' || p.type === 'pubrec').map((p) => p.type)).toEqual(['puback', 'pubrec']);
  });

  test('messages() ends when the client ends', async () => {
    const { client } = setup();
    await client.whenConnected();
    const stream = client.messages();
    const next = stream.next();
    await client.end();
    await expect(next).resolves.toEqual({ value: undefined, done: true });
  });

  test('a handler that throws does not stop the others, and is reported', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    const errors = record(client, 'error');
    client.on('message', () => {
      throw new Error('app bug');
    });
    const seen = record(client, 'message');
    broker.send({ type: 'publish', topic: 't', payload: Uint8Array.of(1), qos: 0, dup: false, retain: false });
    await flush();
    expect(seen).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_HANDLER' })]);
  });

  test('subscriptions are made again when the broker has no session', async () => {
    const { broker, client, clock } = setup();
    await client.whenConnected();
    await client.subscribe('sensors/+', { qos: 1 });
    broker.drop();
    await clock.advance(1_000);
    await client.whenConnected();
    await broker.waitFor((p) => p.type === 'subscribe' && broker.sent('subscribe').length === 2);
    expect(broker.sent('subscribe')[1]!.subscriptions).toEqual([expect.objectContaining({ topicFilter: 'sensors/+', qos: 1 })]);
  });
});

describe('keep-alive and a broken broker', () => {
  test('sends PINGREQ when idle, and treats a missing PINGRESP as a dead connection', async () => {
    const { broker, client, clock } = setup({ keepAlive: 10, pingTimeoutMs: 2_000 });
    await client.whenConnected();
    broker.script = (packet) => (packet.type === 'pingreq' ? [] : undefined); // never answers pings
    const disconnects = record(client, 'disconnect');
    await clock.advance(10_000);
    expect(broker.sent('pingreq')).toHaveLength(1);
    await clock.advance(2_000);
    expect(disconnects).toEqual([{ error: expect.objectContaining({ code: 'ERR_CONNECTION' }) }]);
  });

  test('garbage from the broker: DISCONNECT 0x81, then a reconnect', async () => {
    const { broker, client, clock } = setup();
    await client.whenConnected();
    const disconnects = record(client, 'disconnect');
    broker.sendBytes(Uint8Array.of(0x00, 0x00));
    await broker.waitFor((p) => p.type === 'disconnect');
    expect(broker.sent('disconnect')[0]).toEqual({ type: 'disconnect', reasonCode: 0x81 });
    await flush();
    expect(disconnects[0]?.error).toMatchObject({ code: 'ERR_PROTOCOL', reasonCode: 0x81 });
    await clock.advance(1_000);
    expect(client.connected).toBe(true);
  });
});

describe('ending', () => {
  test('end() waits for what is in flight, then sends DISCONNECT', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    const release = holdPubacks(broker);
    const published = client.publish('t', 'x', { qos: 1 });
    await broker.waitFor((p) => p.type === 'publish');
    const ended = client.end();
    expect(await state(ended)).toBe('pending');
    release();
    await ended;
    await expect(published).resolves.toMatchObject({ packetId: 1 });
    expect(broker.received.at(-1)).toEqual({ type: 'disconnect', reasonCode: 0 });
  });

  test('a forced end rejects what it abandons and keeps it in the outbox for the next start', async () => {
    const outbox = new MemoryOutbox();
    const { broker, client } = setup({ outbox });
    broker.transport.refuseWith = new Error('ECONNREFUSED');
    const published = expect(client.publish('t', 'keep me', { qos: 2 })).rejects.toMatchObject({ code: 'ERR_CLIENT_ENDED' });
    await flush();
    await client.end({ force: true });
    await published;
    await expect(client.publish('t', 'x')).rejects.toMatchObject({ code: 'ERR_CLIENT_ENDED' });

    // The next start, same client id and outbox: the message is still owed, and goes out.
    const next = setup({ outbox });
    const [entry] = await next.client.pending();
    expect(entry).toMatchObject({ id: 1, qos: 2, state: 'queued' });
    const delivered: Promise<PublishResult> = next.client.delivered(1);
    await expect(delivered).resolves.toMatchObject({ id: 1, qos: 2 });
    expect(new TextDecoder().decode(next.broker.publishes()[0]!.payload)).toBe('keep me');
    await expect(next.client.delivered(1)).resolves.toEqual({ id: 1 }); // no longer owed
  });

  test('end({ timeoutMs }) stops waiting and ends by force', async () => {
    const { broker, client, clock } = setup();
    await client.whenConnected();
    broker.script = (packet) => (packet.type === 'publish' ? [] : undefined); // never acks
    const published = expect(client.publish('t', 'x', { qos: 1 })).rejects.toMatchObject({ code: 'ERR_CLIENT_ENDED' });
    await broker.waitFor((p) => p.type === 'publish');
    const ended = client.end({ timeoutMs: 5_000 });
    await clock.advance(5_000);
    await ended;
    await published;
    expect(clock.pendingTimers).toBe(0); // nothing left to keep a process alive
  });

  test('after end() nothing more is sent and every call is refused', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    await client.end();
    const count = broker.received.length;
    await expect(client.subscribe('a')).rejects.toMatchObject({ code: 'ERR_CLIENT_ENDED' });
    await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_CLIENT_ENDED' });
    expect(broker.received.length).toBe(count);
  });
});

describe('promises nobody awaits', () => {
  test('a rejected publish that the application ignores is not an unhandled rejection', async () => {
    const { broker, client } = setup();
    broker.script = (packet) => (packet.type === 'publish' ? [{ type: 'puback', packetId: packet.packetId!, reasonCode: 0x87 }] : undefined);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await client.whenConnected();
      void client.publish('t', 'fire and forget', { qos: 1 });
      await broker.waitFor((p) => p.type === 'publish');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('an outbox that cannot be opened', () => {
  test('is reported, refuses every operation with its error, and crashes nothing', async () => {
    const failing = { open: () => Promise.reject(new Error('disk on fire')) };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { client, broker } = setup({ outbox: failing });
      const errors = record(client, 'error');
      void client.publish('t', 'x', { qos: 1 });
      await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_OUTBOX' });
      await expect(client.pending()).rejects.toMatchObject({ code: 'ERR_OUTBOX' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors).toEqual([expect.objectContaining({ code: 'ERR_OUTBOX' })]);
      expect(broker.connections).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('an outbox that skipped damaged records', () => {
  test('says so in a warning, and carries on with what it could read', async () => {
    const outbox = new MemoryOutbox();
    const damaged = {
      open: async (clientId: string) => {
        const inner = await outbox.open(clientId);
        return {
          restored: { ...inner.restored, damage: [{ where: 'byte 1024', bytes: 37, reason: 'checksum mismatch' }] },
          write: (changes: Parameters<typeof inner.write>[0]) => inner.write(changes),
          close: () => inner.close(),
        };
      },
    };
    const broker = new ScriptedBroker();
    const warnings: unknown[] = [];
    const client = createClient({ transport: broker.transport, clientId: 'c1', outbox: damaged, clock: new ManualClock() });
    track(client);
    client.on('warning', (warning) => warnings.push(warning));
    await client.whenConnected();
    expect(warnings).toEqual([expect.objectContaining({ code: 'ERR_OUTBOX', message: expect.stringContaining('37 unreadable bytes at byte 1024') })]);
  });
});

describe('an outbox that cannot keep what it is asked to', () => {
  test('its warnings (a durable session without IndexedDB, say) come as warning events at the start', async () => {
    const outbox = new MemoryOutbox();
    const forgetful = {
      open: async (clientId: string) => {
        const inner = await outbox.open(clientId);
        return { restored: { ...inner.restored, warnings: ['nothing here survives a reload'] }, write: inner.write.bind(inner), close: () => inner.close() };
      },
    };
    const broker = new ScriptedBroker();
    const client = createClient({ transport: broker.transport, clientId: 'c1', clean: false, outbox: forgetful, clock: new ManualClock() });
    track(client);
    const warnings = record(client, 'warning');
    await client.whenConnected();
    expect(warnings).toEqual([expect.objectContaining({ code: 'ERR_OUTBOX', message: 'nothing here survives a reload' })]);
  });
});

describe('a host without Web Crypto', () => {
  test('a client without a clientId is refused with what to do, not a TypeError', () => {
    const crypto = globalThis.crypto;
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
    try {
      expect(() => createClient({ transport: new ScriptedBroker().transport })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('give a clientId') }),
      );
    } finally {
      Object.defineProperty(globalThis, 'crypto', { value: crypto, configurable: true });
    }
  });
});

describe('flow control against the transport', () => {
  test('QoS 0 published while the transport is congested waits for it to drain', async () => {
    const { broker, client } = setup();
    await client.whenConnected();
    // A first large message fills the transport past its high-water mark (1 MiB by default).
    const big = client.publish('t', new Uint8Array(2 << 20));
    const small = client.publish('t', 'after');
    await expect(Promise.all([big, small])).resolves.toHaveLength(2);
    const payloads = broker.publishes().map((p: Packet & { payload: Uint8Array }) => p.payload.length);
    expect(payloads).toEqual([2 << 20, 5]);
  });
});

describe('several brokers (a cluster)', () => {
  function cluster(options: Partial<CreateClientOptions> = {}) {
    const a = new ScriptedBroker();
    const b = new ScriptedBroker();
    const clock = new ManualClock();
    const client = createClient({
      brokers: [
        { transport: a.transport, url: 'mqtt://a:1883' },
        { transport: b.transport, url: 'mqtt://b:1883', username: 'on-b', password: 'secret-b' },
      ],
      clock,
      clientId: 'c1',
      username: 'everywhere',
      random: () => 0.5,
      ...options,
    });
    track(client);
    return { a, b, clock, client };
  }

  test('connects to the first; a lost connection moves on to the next at once, and connect says which URL it reached', async () => {
    const { a, b, clock, client } = cluster();
    const connects = record(client, 'connect');
    await client.whenConnected();
    a.transport.refuseWith = new Error('ECONNREFUSED');
    a.drop();
    await clock.advance(0);
    await client.whenConnected();
    expect(connects.map((c) => c.url)).toEqual(['mqtt://a:1883', 'mqtt://b:1883']);
    expect([a.connections, b.connections]).toEqual([1, 1]);
  });

  test('the backoff applies to whole rounds of the list: no wait within a round, a growing one between rounds', async () => {
    const { a, b, clock, client } = cluster();
    a.transport.refuseWith = new Error('ECONNREFUSED');
    b.transport.refuseWith = new Error('ECONNREFUSED');
    const reconnecting = record(client, 'reconnecting');
    for (let i = 0; i < 8; i++) await clock.advance(500);
    expect(reconnecting.slice(0, 6).map((r) => r.delayMs)).toEqual([0, 500, 0, 1_000, 0, 2_000]);
    expect(reconnecting.slice(0, 6).map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('each broker gets its own credentials when it has them, the client options otherwise', async () => {
    const { a, b, clock, client } = cluster();
    await client.whenConnected();
    a.drop();
    await clock.advance(0);
    await client.whenConnected();
    expect(a.sent('connect')[0]).toMatchObject({ username: 'everywhere' });
    expect(a.sent('connect')[0]).not.toHaveProperty('password');
    expect(b.sent('connect')[0]).toMatchObject({ username: 'on-b', password: new TextEncoder().encode('secret-b') });
  });

  test('the fallback to 3.1.1 is remembered per broker: one that closes on 5.0 gets 3.1.1, the others 5.0', async () => {
    const { a, b, clock, client } = cluster();
    b.script = (packet, broker) => {
      if (packet.type !== 'connect' || packet.protocolVersion !== 5) return undefined;
      queueMicrotask(() => broker.hangUp());
      return [];
    };
    await client.whenConnected();
    a.drop();
    await clock.advance(0);
    await expect(client.whenConnected()).resolves.toMatchObject({ url: 'mqtt://b:1883', protocolVersion: 4 });
    b.drop();
    await clock.advance(500); // the end of a round (neither connection stayed up): a backoff
    await expect(client.whenConnected()).resolves.toMatchObject({ url: 'mqtt://a:1883', protocolVersion: 5 });
    expect(a.sent('connect').map((c) => c.protocolVersion)).toEqual([5, 5]);
    expect(b.sent('connect').map((c) => c.protocolVersion)).toEqual([5, 4]);
  });

  test('the first connection tries the whole list before whenConnected gives up, with or without reconnect', async () => {
    const first = cluster();
    first.a.transport.refuseWith = new Error('ECONNREFUSED');
    const connected = first.client.whenConnected();
    for (let i = 0; i < 3; i++) await first.clock.advance(0);
    await expect(connected).resolves.toMatchObject({ url: 'mqtt://b:1883' });
    const once = cluster({ reconnect: false });
    once.a.transport.refuseWith = new Error('ECONNREFUSED');
    once.b.transport.refuseWith = new Error('ECONNREFUSED');
    const reconnecting = record(once.client, 'reconnecting');
    const failed = expect(once.client.whenConnected()).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    await once.clock.advance(60_000);
    await failed;
    expect(reconnecting).toEqual([expect.objectContaining({ attempt: 1, delayMs: 0 })]); // a, then b, then no more
  });

  test('an empty list of brokers is refused at once', () => {
    expect(() => createClient({ brokers: [] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
