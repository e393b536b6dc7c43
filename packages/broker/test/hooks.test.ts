// authenticate, authorizePublish and authorizeSubscribe, answering at once or with a promise.
import { describe, expect, it } from 'vitest';
import type { AuthenticateRequest } from '@courier/broker';
import { Fixture, inboxOf, logOf, recordTap } from './helpers';

const fixture = new Fixture();

describe('authenticate', () => {
  it('is given the client id, user name and password, and accepts with true', async () => {
    const requests: AuthenticateRequest[] = [];
    const broker = await fixture.broker({
      authenticate: (request) => {
        requests.push(request);
        return true;
      },
    });
    await fixture.client(broker, { version: 4, clientId: 'alice', username: 'alice', password: 'secret' });
    expect(requests.map(({ password, ...rest }) => ({ ...rest, password: Buffer.from(password!).toString() }))).toEqual([
      { clientId: 'alice', username: 'alice', password: 'secret' },
    ]);
  });

  it.each([
    { version: 4, answer: false, code: 0x05, name: 'false: 3.1.1 Not authorized (0x05)' },
    { version: 5, answer: false, code: 0x87, name: 'false: 5.0 Not authorized (0x87)' },
    { version: 4, answer: 0x86, code: 0x04, name: '0x86: 3.1.1 Bad user name or password (0x04)' },
    { version: 5, answer: 0x86, code: 0x86, name: '0x86: 5.0 Bad user name or password (0x86)' },
    { version: 5, answer: 4, code: 0x86, name: 'the 3.1.1 code 4: 5.0 Bad user name or password (0x86)' },
    { version: 4, answer: 0x88, code: 0x03, name: '0x88: 3.1.1 Server unavailable (0x03)' },
  ] as const)('refuses with the CONNACK code its answer says: $name', async ({ version, answer, code }) => {
    const broker = await fixture.broker({ authenticate: () => answer });
    const error = await fixture.refusedClient(broker, { version, clientId: 'mallory' });
    expect(error.code).toBe(code);
    await logOf(broker).waitFor(/^mallory refused: authentication refused/);
  });

  it('may answer with a promise; what the client sent after CONNECT waits for it', async () => {
    let release: (ok: boolean) => void = () => {};
    let asked: () => void = () => {};
    const wasAsked = new Promise<void>((resolve) => (asked = resolve));
    const broker = await fixture.broker({
      authenticate: () =>
        new Promise<boolean>((resolve) => {
          release = resolve;
          asked();
        }),
    });
    const events = recordTap(broker);
    const raw = await fixture.raw(broker, 5);
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'patient', clean: true, keepAlive: 0 });
    raw.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    raw.send({ type: 'pingreq' });
    await wasAsked;
    expect(events.map((e) => e.packet.type)).toEqual(['connect']);
    release(true);
    expect((await raw.next()).type).toBe('connack');
    expect((await raw.next()).type).toBe('suback');
    expect((await raw.next()).type).toBe('pingresp');
  });

  it('[MQTT-3.1.4-6] processes nothing sent after a refused CONNECT', async () => {
    const broker = await fixture.broker({ authenticate: async () => false });
    const events = recordTap(broker);
    const raw = await fixture.raw(broker, 4);
    raw.send({ type: 'connect', protocolVersion: 4, clientId: 'refused', clean: true, keepAlive: 0 });
    raw.send({ type: 'publish', topic: 'x', payload: new Uint8Array(), qos: 1, dup: false, retain: false, packetId: 1 });
    expect((await raw.next('connack')).reasonCode).toBe(0x05);
    await raw.waitClosed();
    expect(events.filter((e) => e.direction === 'out').map((e) => e.packet.type)).toEqual(['connack']);
  });

  it('refuses with Unspecified error (3.1.1: Server unavailable) when it throws, and keeps serving', async () => {
    const broker = await fixture.broker({
      authenticate: ({ clientId }) => {
        if (clientId === 'bomb') throw new Error('boom');
        return true;
      },
    });
    expect((await fixture.refusedClient(broker, { version: 5, clientId: 'bomb' })).code).toBe(0x80);
    expect((await fixture.refusedClient(broker, { version: 4, clientId: 'bomb' })).code).toBe(0x03);
    await logOf(broker).waitFor(/^authenticate threw for bomb: Error: boom/);
    await fixture.client(broker, { version: 4, clientId: 'fine' });
  });
});

describe('authorizePublish', () => {
  it('refuses a 5.0 PUBLISH with 0x87 in PUBACK and PUBREC, and does not route it', async () => {
    const broker = await fixture.broker({ authorizePublish: (_client, topic) => !topic.startsWith('secret/') });
    const subscriber = await fixture.client(broker, { version: 5, clientId: 'subscriber' });
    await subscriber.subscribeAsync('#', { qos: 2 });
    const raw = await fixture.rawConnected(broker, 5, 'publisher');
    const publish = { type: 'publish', topic: 'secret/x', payload: new Uint8Array([1]), dup: false, retain: false } as const;
    raw.send({ ...publish, qos: 1, packetId: 1 });
    expect(await raw.next('puback')).toMatchObject({ packetId: 1, reasonCode: 0x87 });
    raw.send({ ...publish, qos: 2, packetId: 2 });
    expect(await raw.next('pubrec')).toMatchObject({ packetId: 2, reasonCode: 0x87 });
    raw.send({ ...publish, topic: 'public/x', qos: 1, packetId: 3 });
    await raw.next('puback');
    expect((await inboxOf(subscriber).next()).topic).toBe('public/x');
  });

  it('acknowledges a refused 3.1.1 PUBLISH as usual and drops it, as 3.1.1 cannot say no (3.3.5)', async () => {
    const broker = await fixture.broker({ authorizePublish: async (_client, topic) => topic !== 'secret' });
    const subscriber = await fixture.client(broker, { version: 4, clientId: 'subscriber' });
    await subscriber.subscribeAsync('#', { qos: 2 });
    const publisher = await fixture.client(broker, { version: 4, clientId: 'publisher' });
    await publisher.publishAsync('secret', 'hidden', { qos: 2 });
    await publisher.publishAsync('public', 'shown', { qos: 1 });
    expect((await inboxOf(subscriber).next()).topic).toBe('public');
    expect(inboxOf(subscriber).messages).toHaveLength(1);
  });

  it('refuses the connection when the will topic is not authorized', async () => {
    const broker = await fixture.broker({ authorizePublish: (_client, topic) => topic !== 'wills/forbidden' });
    const error = await fixture.refusedClient(broker, {
      version: 5,
      clientId: 'willful',
      will: { topic: 'wills/forbidden', payload: Buffer.from('x'), qos: 0, retain: false },
    });
    expect(error.code).toBe(0x87);
  });

  it('is asked with the client id and user name', async () => {
    const asked: unknown[] = [];
    const broker = await fixture.broker({
      authorizePublish: (client, topic) => {
        asked.push([client, topic]);
        return true;
      },
    });
    const client = await fixture.client(broker, { version: 4, clientId: 'carol', username: 'carol-user' });
    await client.publishAsync('t', 'x', { qos: 1 });
    expect(asked).toEqual([[{ clientId: 'carol', username: 'carol-user' }, 't']]);
  });
});

describe('authorizeSubscribe', () => {
  it.each([
    { version: 4, refused: 0x80 },
    { version: 5, refused: 0x87 },
  ] as const)('MQTT version $version: a refused filter gets $refused in its SUBACK slot, the others are granted', async ({ version, refused }) => {
    const broker = await fixture.broker({ authorizeSubscribe: async (_client, filter) => !filter.startsWith('admin/') });
    const raw = await fixture.rawConnected(broker, version, 'subscriber');
    raw.send({
      type: 'subscribe',
      packetId: 3,
      subscriptions: [
        { topicFilter: 'news/#', qos: 1 },
        { topicFilter: 'admin/#', qos: 1 },
        { topicFilter: 'weather/+', qos: 2 },
      ],
    });
    expect((await raw.next('suback')).reasonCodes).toEqual([1, refused, 2]);
    await logOf(broker).waitFor(/^subscriber: not authorized to subscribe to admin\/#/);
  });
});
