// A broker with a session store, closed and started again on the same port: persistent sessions
// carry on where they were (subscriptions, queued messages, QoS 1/2 in flight both ways,
// retained messages), and sessions that end with their connection do not come back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Broker, type BrokerOptions, fileSessionStore, type SessionSnapshot, type SessionStore } from '@courier/broker';
import type { ConnectPacket, ProtocolVersion, QoS } from '@courier/core';
import { decodeText, Fixture, logOf, type RawClient, text } from './helpers';

const fixture = new Fixture();
// Removed after all tests: the fixture's brokers save into it as they close after each one.
const dir = mkdtempSync(join(tmpdir(), 'courier-broker-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let stores = 0;

function store(): SessionStore {
  return fileSessionStore(join(dir, `sessions-${++stores}.json`));
}

/** Closes `broker` and starts another on the same port and store. */
async function restart(broker: Broker, sessionStore: SessionStore, options: BrokerOptions = {}): Promise<Broker> {
  await broker.close();
  return fixture.broker({ port: broker.port, sessionStore, ...options });
}

async function subscribe(client: RawClient, topicFilter: string, qos: QoS): Promise<void> {
  client.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter, qos }] });
  await client.next('suback');
}

/** Connects `clientId` and resolves with the connection and the CONNACK's Session Present. */
async function resume(
  broker: Broker,
  version: ProtocolVersion,
  clientId: string,
  extra: Partial<ConnectPacket>,
): Promise<[RawClient, boolean]> {
  const client = await fixture.raw(broker, version);
  client.send({ type: 'connect', protocolVersion: version, clientId, clean: true, keepAlive: 0, ...extra });
  const connack = await client.next('connack');
  expect(connack.reasonCode).toBe(0);
  return [client, connack.sessionPresent];
}

describe.each([4, 5] as const)('MQTT %s', (version: ProtocolVersion) => {
  const persistent = { clean: false, ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}) };
  const connect = (broker: Broker, clientId: string) => fixture.rawConnected(broker, version, clientId, persistent);

  async function publishAcked(client: RawClient, topic: string, payload: string, qos: 1 | 2, packetId: number): Promise<void> {
    client.send({ type: 'publish', topic, payload: text(payload), qos, dup: false, retain: false, packetId });
    if (qos === 1) await client.next('puback');
    else {
      await client.next('pubrec');
      client.send({ type: 'pubrel', packetId });
      await client.next('pubcomp');
    }
  }

  it('an offline session keeps its subscription and queued QoS 1 and 2 messages, and retained messages stay', async () => {
    const sessionStore = store();
    let broker = await fixture.broker({ sessionStore });
    const subscriber = await connect(broker, 'keeper');
    await subscribe(subscriber, 'kept/#', 2);
    subscriber.send({ type: 'disconnect' });
    await subscriber.waitClosed();
    await logOf(broker).waitFor(/^keeper disconnected/);
    const publisher = await fixture.rawConnected(broker, version, 'publisher');
    await publishAcked(publisher, 'kept/1', 'one', 1, 1);
    await publishAcked(publisher, 'kept/2', 'two', 2, 2);
    publisher.send({ type: 'publish', topic: 'retained/x', payload: text('still here'), qos: 0, dup: false, retain: true });
    publisher.send({ type: 'disconnect' });
    await publisher.waitClosed();

    broker = await restart(broker, sessionStore);
    await logOf(broker).waitFor(/^restored 1 session\(s\) and 1 retained message\(s\)$/);
    const [again, present] = await resume(broker, version, 'keeper', persistent);
    expect(present).toBe(true);
    const queued = [await again.next('publish'), await again.next('publish')];
    expect(queued.map((p) => [p.topic, decodeText(p.payload), p.qos])).toEqual([
      ['kept/1', 'one', 1],
      ['kept/2', 'two', 2],
    ]);
    // The subscription came back too: a new message arrives without subscribing again.
    const publisherAgain = await fixture.rawConnected(broker, version, 'publisher2');
    publisherAgain.send({ type: 'publish', topic: 'kept/3', payload: text('three'), qos: 0, dup: false, retain: false });
    expect(decodeText((await again.next('publish')).payload)).toBe('three');
    const late = await fixture.rawConnected(broker, version, 'late');
    await subscribe(late, 'retained/#', 0);
    expect(decodeText((await late.next('publish')).payload)).toBe('still here');
  });

  it('[MQTT-4.4.0-1] a QoS 1/2 PUBLISH in flight to the client is resent with DUP=1, and a released one as PUBREL', async () => {
    const sessionStore = store();
    let broker = await fixture.broker({ sessionStore });
    const subscriber = await connect(broker, 'slow');
    await subscribe(subscriber, 'f/#', 2);
    const publisher = await fixture.rawConnected(broker, version, 'publisher');
    await publishAcked(publisher, 'f/released', 'r', 2, 1);
    await publishAcked(publisher, 'f/unacked', 'u', 2, 2);
    const released = await subscriber.next('publish');
    const unacked = await subscriber.next('publish');
    subscriber.send({ type: 'pubrec', packetId: released.packetId! });
    await subscriber.next('pubrel');

    broker = await restart(broker, sessionStore);
    const [again, present] = await resume(broker, version, 'slow', persistent);
    expect(present).toBe(true);
    const pubrel = await again.next('pubrel');
    expect(pubrel.packetId).toBe(released.packetId);
    const resent = await again.next('publish');
    expect([resent.packetId, resent.dup, decodeText(resent.payload)]).toEqual([unacked.packetId, true, 'u']);
  });

  it('[MQTT-4.3.3-10] a QoS 2 message received before the restart is not routed again when its PUBLISH is repeated after it', async () => {
    const sessionStore = store();
    let broker = await fixture.broker({ sessionStore });
    const watcher = await connect(broker, 'watcher');
    // QoS 0 towards the watcher: nothing in flight to it that the restart would resend.
    await subscribe(watcher, 'once', 0);
    const publisher = await connect(broker, 'publisher');
    publisher.send({ type: 'publish', topic: 'once', payload: text('first'), qos: 2, dup: false, retain: false, packetId: 42 });
    await publisher.next('pubrec');
    expect(decodeText((await watcher.next('publish')).payload)).toBe('first');

    broker = await restart(broker, sessionStore);
    const [watcherAgain] = await resume(broker, version, 'watcher', persistent);
    const [publisherAgain, present] = await resume(broker, version, 'publisher', persistent);
    expect(present).toBe(true);
    publisherAgain.send({ type: 'publish', topic: 'once', payload: text('first'), qos: 2, dup: true, retain: false, packetId: 42 });
    await publisherAgain.next('pubrec');
    publisherAgain.send({ type: 'pubrel', packetId: 42 });
    const pubcomp = await publisherAgain.next('pubcomp');
    expect(pubcomp.reasonCode ?? 0).toBe(0); // the id was known: not 0x92
    // A round trip on the watcher's topic: had "first" been routed again, it would come before this.
    publisherAgain.send({ type: 'publish', topic: 'once', payload: text('probe'), qos: 1, dup: false, retain: false, packetId: 43 });
    await publisherAgain.next('puback');
    expect(decodeText((await watcherAgain.next('publish')).payload)).toBe('probe');
  });

  it('[MQTT-3.1.2-4] a session that ends with its connection is not kept', async () => {
    const sessionStore = store();
    let broker = await fixture.broker({ sessionStore });
    const clean = await fixture.rawConnected(broker, version, 'clean');
    await subscribe(clean, 'x', 1);
    broker = await restart(broker, sessionStore);
    await logOf(broker).waitFor(/^restored 0 session\(s\)/);
    const [, present] = await resume(broker, version, 'clean', persistent);
    expect(present).toBe(false);
  });
});

describe('expiry across a restart', () => {
  const shortLived = { clean: false, properties: { sessionExpiryInterval: 60 } };
  const longLived = { clean: false, properties: { sessionExpiryInterval: 3600 } };

  it.each([
    {
      what: 'the time the broker was down counts (clients connected when it stopped)',
      offlineFirst: false,
      shift: (snapshot: SessionSnapshot): SessionSnapshot => ({ ...snapshot, savedAt: snapshot.savedAt - 600_000 }),
    },
    {
      what: 'the time a session was offline before the broker stopped counts too',
      offlineFirst: true,
      shift: (snapshot: SessionSnapshot): SessionSnapshot => {
        for (const session of snapshot.sessions) session.offlineSince = snapshot.savedAt - 120_000;
        return snapshot;
      },
    },
  ])('[MQTT-4.1.0-2] $what: a session whose expiry passed meanwhile is gone', async ({ offlineFirst, shift }) => {
    const sessionStore = store();
    let broker = await fixture.broker({ sessionStore });
    const clients = [await fixture.rawConnected(broker, 5, 'short', shortLived), await fixture.rawConnected(broker, 5, 'long', longLived)];
    if (offlineFirst) {
      for (const client of clients) client.destroy();
      await logOf(broker).waitFor(/^short disconnected/);
      await logOf(broker).waitFor(/^long disconnected/);
    }
    await broker.close();
    await sessionStore.save(shift((await sessionStore.load())!));
    broker = await fixture.broker({ port: broker.port, sessionStore });
    await logOf(broker).waitFor(/^short: session expired after 60 s$/);
    expect((await resume(broker, 5, 'short', shortLived))[1]).toBe(false);
    expect((await resume(broker, 5, 'long', longLived))[1]).toBe(true);
  });
});
