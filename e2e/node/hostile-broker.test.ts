// A broker that misbehaves on purpose, speaking raw bytes over real TCP, against @courier/node:
// malformed packets, garbage CONNACKs, acks for unknown packet ids, a PUBREL or PUBCOMP that
// never comes, floods beyond our Receive Maximum, packets over our Maximum Packet Size, silence,
// and connections cut mid-packet. The client must report each with a typed error, reconnect
// where that makes sense, never crash, and leave no unhandled rejection.
import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { encode, type Packet, type ProtocolVersion, type PublishPacket } from '@courier/core';
import { connect } from '@courier/node';
import { accept, acceptThen, type Behaviour, HostileBroker, type HostilePeer, mutate } from '../support/hostile-broker';
import { detectProcessErrors } from '../support/process-errors';
import { prng } from '../support/prng';
import { eventually, type WatchedClient, watchedClient } from '../support/watched-client';

detectProcessErrors();

const brokers: HostileBroker[] = [];
const watched: WatchedClient[] = [];

afterEach(async () => {
  const clients = watched.splice(0);
  await Promise.all(clients.map(({ client }) => client.end({ force: true })));
  for (const client of clients) client.expectTyped();
  for (const broker of brokers.splice(0)) {
    await broker.close();
    expect(broker.errors, 'the hostile broker script failed').toEqual([]);
  }
});

async function hostile(behaviour: Behaviour, options: { decode?: boolean } = {}): Promise<HostileBroker> {
  const broker = await HostileBroker.start(behaviour, options);
  brokers.push(broker);
  return broker;
}

function victim(broker: HostileBroker, options: Parameters<typeof watchedClient>[1] = {}, url = broker.url): WatchedClient {
  const client = watchedClient(url, options);
  watched.push(client);
  return client;
}

const text = (value: string) => new TextEncoder().encode(value);

/** How many connections came from `clientId` (by the CONNECT each one sent). */
function connectionsOf(broker: HostileBroker, clientId: string): number {
  return broker.peers.filter((peer) => peer.received.find((p) => p.type === 'connect')?.clientId === clientId).length;
}

function publish(packetId: number, qos: 1 | 2, payload = `message ${packetId}`, dup = false): PublishPacket {
  return { type: 'publish', topic: 'hostile/t', payload: text(payload), qos, dup, retain: false, packetId };
}

const versions: ProtocolVersion[] = [4, 5];

/** The seed of the seeded tests, printed so that a failure can be replayed. */
const seed = Number(process.env.COURIER_HOSTILE_SEED ?? Date.now() % 1_000_000);
/** Connections of the mutation test: 200 in npm test, more with COURIER_HOSTILE_CONNECTIONS. */
const MUTATED_CONNECTIONS = Number(process.env.COURIER_HOSTILE_CONNECTIONS ?? 200);

/** How many times each value occurs. */
function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** A burst of valid packets of every type a broker sends; ack ids mostly those the client used. */
function burst(peer: HostilePeer, random: () => number): Uint8Array {
  const used = peer.received.flatMap((p) => (p.type === 'publish' && p.packetId !== undefined ? [p.packetId] : []));
  const id = () => (used.length > 0 && random() < 0.8 ? used[Math.floor(random() * used.length)]! : 1 + Math.floor(random() * 4));
  const packets: Packet[] = [
    { type: 'publish', topic: 'h/a', payload: text('zero'), qos: 0, dup: false, retain: false },
    publish(id(), 1),
    publish(id(), 2),
    { type: 'pubrel', packetId: id() },
    { type: 'puback', packetId: id() },
    { type: 'pubrec', packetId: id() },
    { type: 'pubcomp', packetId: id() },
    { type: 'suback', packetId: id(), reasonCodes: [1] },
    { type: 'unsuback', packetId: id(), reasonCodes: [0] },
    { type: 'pingresp' },
  ];
  return Buffer.concat(packets.filter(() => random() < 0.6).map((packet) => encode(packet, peer.version)));
}

describe('malformed packets after CONNACK', () => {
  const cases = [
    { name: 'a reserved packet type (0)', bytes: [0x00, 0x00], reasonCode: 0x81 },
    { name: 'PUBREL with reserved flags 0000', bytes: [0x60, 0x02, 0x00, 0x01], reasonCode: 0x81 },
    { name: 'a remaining length longer than four bytes', bytes: [0x30, 0xff, 0xff, 0xff, 0xff, 0x7f], reasonCode: 0x81 },
    { name: 'PUBLISH at QoS 3', bytes: [0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01], reasonCode: 0x81 },
    { name: 'SUBSCRIBE, which only a client sends', bytes: [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x74, 0x00], reasonCode: 0x82 },
  ];
  for (const version of versions) {
    test.each(cases)(`MQTT ${version}: $name closes with ERR_PROTOCOL ($reasonCode), and the client reconnects`, async ({ bytes, reasonCode }) => {
      const broker = await hostile(acceptThen((peer) => void (peer.index === 0 && peer.sendBytes(bytes))));
      const client = victim(broker, { protocolVersion: version });
      const first = await broker.connection(0);
      await first.waitClosed();
      await broker.connection(1);
      await eventually(() => client.client.connected, 'the reconnect');
      expect(client.disconnects[0]?.error).toMatchObject({ code: 'ERR_PROTOCOL', reasonCode });
      // 5.0 says why before closing [MQTT-4.13.1-1]; 3.1.1 has no way to.
      const said = first.received.filter((p) => p.type === 'disconnect');
      expect(said).toEqual(version === 5 ? [{ type: 'disconnect', reasonCode }] : []);
      client.expectTyped();
    });
  }

  test('seeded garbage on 100 connections: every one ends in a typed error and the client keeps reconnecting', async () => {
    console.log(`hostile broker garbage: seed ${seed} (replay with COURIER_HOSTILE_SEED=${seed})`);
    const random = prng(seed);
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      if (random() < 0.5) accept(peer);
      const length = Math.floor(random() * 40);
      peer.sendBytes(Array.from({ length }, () => Math.floor(random() * 256)));
      peer.socket.end(); // whatever the bytes were, the connection ends: the next one follows
    });
    const client = victim(broker, { reconnect: { initialDelayMs: 0, maxDelayMs: 0 }, protocolVersion: random() < 0.5 ? 4 : 5 });
    await broker.connection(99);
    client.expectTyped();
    expect(client.disconnects.length).toBeGreaterThanOrEqual(99);
    expect(client.disconnects.every((info) => info.error !== undefined)).toBe(true);
  });

  test(`seeded mutations of valid packets on ${MUTATED_CONNECTIONS} connections, the client publishing meanwhile: typed errors only, every publish settles once`, { timeout: 30_000 + MUTATED_CONNECTIONS * 50 }, async () => {
    console.log(`hostile broker mutations: seed ${seed} (replay with COURIER_HOSTILE_SEED=${seed})`);
    const random = prng(seed + 1);
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      peer.send({ type: 'connack', sessionPresent: random() < 0.5, reasonCode: 0 });
      // Half the time the burst waits for a PUBLISH (briefly: there may be none left), so that
      // its acks can meet messages in flight.
      if (random() < 0.5) await Promise.race([peer.next('publish'), new Promise((resolve) => setTimeout(resolve, 20))]);
      const bytes = burst(peer, random);
      peer.sendBytes(random() < 0.2 ? bytes : mutate(bytes, random, 1 + Math.floor(random() * 3)));
      peer.socket.end();
    });
    const client = victim(broker, { reconnect: { initialDelayMs: 0, maxDelayMs: 0 }, clean: false, protocolVersion: random() < 0.5 ? 4 : 5 });
    const settled: string[] = [];
    const publishes = Math.max(20, MUTATED_CONNECTIONS / 10);
    for (let i = 0; i < publishes; i++) {
      client.client.publish('t', `m${i}`, { qos: i % 2 === 0 ? 1 : 2 }).then(
        () => settled.push(`${i} resolved`),
        (error: unknown) => settled.push(`${i} ${(error as { code?: string }).code}`),
      );
    }
    await broker.connection(MUTATED_CONNECTIONS - 1, 10_000 + MUTATED_CONNECTIONS * 40);
    await client.client.end({ force: true });
    expect(new Set(settled.map((s) => s.split(' ')[0])).size).toBe(publishes);
    expect(settled).toHaveLength(publishes);
    for (const outcome of settled) expect(outcome).toMatch(/ (resolved|ERR_CLIENT_ENDED|ERR_PUBLISH_REJECTED)$/);
    expect(client.disconnects.length).toBeGreaterThanOrEqual(MUTATED_CONNECTIONS - 1);
    const codes = tally(client.disconnects.map(({ error }) => error?.code ?? 'none'));
    console.log(`hostile broker mutations: ${broker.peers.length} connections, ${client.messages.length} messages delivered, disconnects ${JSON.stringify(codes)}, publishes ${JSON.stringify(tally(settled.map((s) => s.split(' ')[1]!)))}`);
  });
});

describe('well-formed packets that break the protocol', () => {
  const aliasCases = [
    { name: 'a topic alias over our Topic Alias Maximum', topic: 't', topicAlias: 11, reasonCode: 0x94 },
    { name: 'a topic alias used before it was set', topic: '', topicAlias: 3, reasonCode: 0x82 },
  ];
  test.each(aliasCases)('MQTT 5: $name: DISCONNECT $reasonCode, nothing delivered, and the client reconnects', async ({ topic, topicAlias, reasonCode }) => {
    const broker = await hostile(
      acceptThen((peer) => {
        if (peer.index > 0) return;
        peer.send({ type: 'publish', topic, payload: text('x'), qos: 0, dup: false, retain: false, properties: { topicAlias } });
      }),
    );
    const client = victim(broker, { topicAliasMaximum: 10 });
    const first = await broker.connection(0);
    await first.waitClosed();
    await broker.connection(1);
    expect(first.received.find((p) => p.type === 'disconnect')).toEqual({ type: 'disconnect', reasonCode });
    expect(client.disconnects[0]?.error).toMatchObject({ code: 'ERR_PROTOCOL', reasonCode });
    expect(client.messages).toEqual([]);
  });
});

describe('a SUBACK or UNSUBACK that does not match its request', () => {
  test.each(versions)('MQTT %s: three reason codes for one filter: subscribe() rejects with ERR_PROTOCOL, and the client reconnects', async (version) => {
    const broker = await hostile(
      acceptThen(async (peer) => {
        if (peer.index > 0) return;
        const { packetId } = await peer.next('subscribe');
        peer.send({ type: 'suback', packetId, reasonCodes: [1, 1, 1] });
      }),
    );
    const client = victim(broker, { protocolVersion: version });
    await expect(client.client.subscribe('a/#', { qos: 1 })).rejects.toMatchObject({ code: 'ERR_PROTOCOL', reasonCode: 0x82 });
    await broker.connection(1);
    expect(client.disconnects[0]?.error).toMatchObject({ code: 'ERR_PROTOCOL' });
  });

  test('MQTT 5: an UNSUBACK with one reason code for two filters: unsubscribe() rejects with ERR_PROTOCOL, and the client reconnects', async () => {
    const broker = await hostile(
      acceptThen(async (peer) => {
        if (peer.index > 0) return;
        const { packetId } = await peer.next('unsubscribe');
        peer.send({ type: 'unsuback', packetId, reasonCodes: [0] });
      }),
    );
    const client = victim(broker);
    await expect(client.client.unsubscribe(['a/#', 'b'])).rejects.toMatchObject({ code: 'ERR_PROTOCOL', reasonCode: 0x82 });
    await broker.connection(1);
  });
});

describe('a CONNACK with garbage', () => {
  const cases = [
    { name: 'a byte after its last field (3.1.1)', version: 4, bytes: [0x20, 0x03, 0x00, 0x00, 0x00], code: 'ERR_PROTOCOL' },
    { name: 'reserved acknowledge flags', version: 4, bytes: [0x20, 0x02, 0x02, 0x00], code: 'ERR_PROTOCOL' },
    { name: 'a reserved 3.1.1 return code', version: 4, bytes: [0x20, 0x02, 0x00, 0x09], code: 'ERR_PROTOCOL' },
    { name: 'session present on a refusal', version: 5, bytes: [0x20, 0x03, 0x01, 0x87, 0x00], code: 'ERR_PROTOCOL' },
    { name: 'a reason code CONNACK may not use', version: 5, bytes: [0x20, 0x03, 0x00, 0x04, 0x00], code: 'ERR_PROTOCOL' },
    { name: 'a property length beyond the packet', version: 5, bytes: [0x20, 0x03, 0x00, 0x00, 0x09], code: 'ERR_PROTOCOL' },
    { name: 'a property CONNACK may not carry', version: 5, bytes: [0x20, 0x05, 0x00, 0x00, 0x02, 0x0b, 0x01], code: 'ERR_PROTOCOL' },
    { name: 'a property given twice', version: 5, bytes: [0x20, 0x07, 0x00, 0x00, 0x04, 0x24, 0x01, 0x24, 0x01], code: 'ERR_PROTOCOL' },
    { name: 'session present after a clean start', version: 5, bytes: [0x20, 0x03, 0x01, 0x00, 0x00], code: 'ERR_PROTOCOL' },
    // Limits that would stall or break the client if taken at their word (3.2.2.3).
    { name: 'Receive Maximum 0', version: 5, bytes: [0x20, 0x06, 0x00, 0x00, 0x03, 0x21, 0x00, 0x00], code: 'ERR_PROTOCOL' },
    { name: 'Maximum Packet Size 0', version: 5, bytes: [0x20, 0x08, 0x00, 0x00, 0x05, 0x27, 0x00, 0x00, 0x00, 0x00], code: 'ERR_PROTOCOL' },
    { name: 'Maximum QoS 2', version: 5, bytes: [0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02], code: 'ERR_PROTOCOL' },
  ] as const;

  test.each(cases)('$name: connect() rejects with $code, and the client keeps trying', async ({ version, bytes, code }) => {
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      peer.sendBytes(bytes);
    });
    await expect(connect(broker.url, { protocolVersion: version, clientId: 'c', reconnect: false })).rejects.toMatchObject({ code });
    const client = victim(broker, { protocolVersion: version });
    await broker.connection(3);
    expect(client.connects).toBe(0);
    expect(connectionsOf(broker, 'c')).toBe(1); // connect() ended its client when it rejected
    client.expectTyped();
  });

  test('a refusal that cannot pass (0x87) stops reconnecting; a busy server (0x89) is retried', async () => {
    const broker = await hostile(async (peer) => {
      const { clientId } = await peer.next('connect');
      peer.send({ type: 'connack', sessionPresent: false, reasonCode: clientId === 'banned' ? 0x87 : 0x89 });
    });
    await expect(connect(broker.url, { clientId: 'banned' })).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: 0x87 });
    const banned = victim(broker, { clientId: 'banned' });
    await eventually(() => banned.disconnects.length > 0, 'the refusal');
    const busy = victim(broker, { clientId: 'busy' });
    await eventually(() => busy.reconnects >= 3, 'three reconnects after 0x89');
    expect(banned.reconnects).toBe(0);
    expect(banned.errors).toEqual([expect.objectContaining({ code: 'ERR_CONNECT_REFUSED', reasonCode: 0x87 })]);
    expect(busy.errors.length).toBeGreaterThanOrEqual(3);
    for (const error of busy.errors) expect(error).toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: 0x89 });
    expect(connectionsOf(broker, 'banned')).toBe(2); // connect() and the victim, once each
  });
});

describe('acks for packet ids that are not in flight', () => {
  test.each(versions)('MQTT %s: reported as warnings and ignored; PUBREC and PUBREL still get their answer', async (version) => {
    const broker = await hostile(
      acceptThen(async (peer) => {
        peer.send({ type: 'puback', packetId: 7 });
        peer.send({ type: 'pubrec', packetId: 8 });
        peer.send({ type: 'pubcomp', packetId: 9 });
        peer.send({ type: 'pubrel', packetId: 10 });
        // The wrong ack for a message in flight: PUBCOMP for a QoS 1, PUBACK for a QoS 2.
        const first = await peer.next('publish');
        peer.send({ type: 'pubcomp', packetId: first.packetId! });
        peer.send({ type: 'puback', packetId: first.packetId! });
      }),
    );
    const client = victim(broker, { protocolVersion: version });
    const published = client.client.publish('t', 'one', { qos: 1 });
    const peer = await broker.connection(0);
    await expect(published).resolves.toMatchObject({ qos: 1 });
    await peer.next('pubrel');
    await peer.next('pubcomp');
    // 0x92: Packet Identifier not found; a 3.1.1 ack has no reason code (read as 0).
    const reasonCode = version === 5 ? 0x92 : 0;
    expect(peer.received.find((p) => p.type === 'pubrel')).toEqual({ type: 'pubrel', packetId: 8, reasonCode });
    expect(peer.received.find((p) => p.type === 'pubcomp')).toEqual({ type: 'pubcomp', packetId: 10, reasonCode });
    expect(client.warnings.map((w) => w.code)).toEqual(['ERR_UNEXPECTED_ACK', 'ERR_UNEXPECTED_ACK', 'ERR_UNEXPECTED_ACK', 'ERR_UNEXPECTED_ACK']);
    expect(client.disconnects).toEqual([]);
    expect(broker.peers).toHaveLength(1);
  });
});

describe('a PUBREL that never comes', () => {
  test('the QoS 2 message is delivered once, through resends on the same and the next connection', async () => {
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      peer.send({ type: 'connack', sessionPresent: peer.index > 0, reasonCode: 0 });
      peer.send(publish(5, 2, 'exactly once', peer.index > 0));
      await peer.count('pubrec', 1);
      peer.send(publish(5, 2, 'exactly once', true)); // [MQTT-4.3.3-10]: a resend before PUBREL
      await peer.count('pubrec', 2);
      if (peer.index === 0) peer.destroy();
      else peer.send({ type: 'pubrel', packetId: 5 });
    });
    const client = victim(broker, { clean: false });
    const second = await broker.connection(1);
    await second.next('pubcomp');
    expect(client.messages.map((m) => new TextDecoder().decode(m.payload))).toEqual(['exactly once']);
    client.expectTyped();
  });

  test('without PUBREL, the broker may not send more QoS 2 than our Receive Maximum: the next is reported (0x93) and taken, not a DISCONNECT that would loop', async () => {
    const broker = await hostile(
      acceptThen((peer) => {
        if (peer.index > 0) return;
        for (let id = 1; id <= 6; id++) peer.send(publish(id, 2));
      }),
    );
    const client = victim(broker, { receiveMaximum: 5 });
    const first = await broker.connection(0);
    await first.count('pubrec', 6);
    expect(first.received.find((p) => p.type === 'disconnect')).toBeUndefined();
    expect(client.warnings).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x93 })]);
    expect(client.disconnects).toEqual([]);
    expect(client.messages).toHaveLength(6);
  });
});

describe('a PUBCOMP that never comes', () => {
  test('MQTT 5: the ack timeout reconnects, PUBREL goes again (not the PUBLISH), and the publish settles on the late PUBCOMP', async () => {
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      peer.send({ type: 'connack', sessionPresent: peer.index > 0, reasonCode: 0 });
      if (peer.index === 0) {
        peer.send({ type: 'pubrec', packetId: (await peer.next('publish')).packetId! });
        return; // no PUBCOMP, ever, on this connection
      }
      peer.send({ type: 'pubcomp', packetId: (await peer.next('pubrel')).packetId });
    });
    const client = victim(broker, { clean: false, ackTimeoutMs: 200 });
    await expect(client.client.publish('t', 'x', { qos: 2 })).resolves.toMatchObject({ qos: 2 });
    const second = await broker.connection(1);
    expect(second.received.some((p) => p.type === 'publish')).toBe(false);
    expect(client.disconnects[0]?.error).toMatchObject({ code: 'ERR_CONNECTION', message: expect.stringMatching(/no acknowledgement/) });
  });

  test('MQTT 3.1.1: PUBREL is resent on the same connection after the ack timeout', async () => {
    const broker = await hostile(
      acceptThen(async (peer) => {
        peer.send({ type: 'pubrec', packetId: (await peer.next('publish')).packetId! });
        await peer.count('pubrel', 2);
        peer.send({ type: 'pubcomp', packetId: (await peer.next('pubrel')).packetId });
      }),
    );
    const client = victim(broker, { protocolVersion: 4, ackTimeoutMs: 200 });
    await expect(client.client.publish('t', 'x', { qos: 2 })).resolves.toMatchObject({ qos: 2 });
    expect(broker.peers).toHaveLength(1);
  });
});

describe('packets over our Maximum Packet Size', () => {
  test.each(versions)('MQTT %s: refused from the fixed header, before the body is waited for (0x95)', async (version) => {
    // The header says 100,000 bytes follow; only 10 do. Waiting for the rest would hang.
    const header = [0x30, 0xa0, 0x8d, 0x06];
    const broker = await hostile(acceptThen((peer) => void (peer.index === 0 && peer.sendBytes([...header, ...new Array(10).fill(0x61)]))));
    const client = victim(broker, { protocolVersion: version, maximumPacketSize: 1024 });
    const first = await broker.connection(0);
    await first.waitClosed();
    expect(client.disconnects[0]?.error).toMatchObject({ code: 'ERR_PROTOCOL', reasonCode: 0x95 });
    if (version === 5) expect(first.received.find((p) => p.type === 'disconnect')).toEqual({ type: 'disconnect', reasonCode: 0x95 });
    await broker.connection(1);
  });
});

describe('silence', () => {
  test('a broker that accepts the connection and never answers: connect() rejects after connectTimeoutMs, the client retries', async () => {
    const broker = await hostile(() => {});
    const started = Date.now();
    await expect(connect(broker.url, { clientId: 'c', connectTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'ERR_CONNECTION',
      message: expect.stringMatching(/no CONNACK within 300 ms/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    victim(broker, { connectTimeoutMs: 100 });
    await broker.connection(3);
    expect(connectionsOf(broker, 'c')).toBe(1);
  });

  // TCP accepted, then nothing: no WebSocket upgrade, no TLS handshake. The client's connect
  // timeout covers opening the connection too, and the abandoned attempt is closed.
  test.each(['ws', 'mqtts'])('%s://: a server that accepts TCP and never answers the handshake: connect() rejects after connectTimeoutMs, the client retries', async (scheme) => {
    const broker = await hostile(() => {}, { decode: false });
    const url = `${scheme}://127.0.0.1:${broker.port}/mqtt`;
    const started = Date.now();
    await expect(connect(url, { clientId: 'c', connectTimeoutMs: 300, rejectUnauthorized: false })).rejects.toMatchObject({
      code: 'ERR_CONNECTION',
      message: expect.stringMatching(/within 300 ms|timed out/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await broker.connection(0).then((peer) => peer.waitClosed());
    const client = victim(broker, { connectTimeoutMs: 100, rejectUnauthorized: false }, url);
    await broker.connection(3);
    expect(client.disconnects.length).toBeGreaterThanOrEqual(2);
    for (const info of client.disconnects) expect(info.error).toMatchObject({ code: 'ERR_CONNECTION' });
  });

  test('a broker that answers CONNECT with anything but CONNACK: a protocol error', async () => {
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      peer.send({ type: 'pingresp' });
    });
    await expect(connect(broker.url, { clientId: 'c' })).rejects.toMatchObject({ code: 'ERR_PROTOCOL', reasonCode: 0x82 });
  });

  test('a broker that sends half a CONNACK and stalls: the connect timeout', async () => {
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      peer.sendBytes([0x20, 0x02, 0x00]);
    });
    await expect(connect(broker.url, { clientId: 'c', connectTimeoutMs: 300 })).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
  });

  test('a broker that stops answering PINGREQ: the connection counts as dead and the client reconnects', async () => {
    const broker = await hostile(acceptThen());
    const client = victim(broker, { keepAlive: 1, pingTimeoutMs: 200 });
    const first = await broker.connection(0);
    await first.next('pingreq');
    await broker.connection(1);
    expect(client.disconnects[0]?.error).toMatchObject({ code: 'ERR_CONNECTION', message: expect.stringMatching(/PINGRESP/) });
  });
});

describe('over WebSocket', () => {
  test('[MQTT-6.0.0-1] a CONNACK in a text frame is not MQTT: the connection closes with ERR_CONNECTION, nothing connects', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'mqtt' });
    await once(server, 'listening');
    server.on('connection', (socket) => socket.once('message', () => socket.send(String.fromCharCode(0x20, 0x02, 0x00, 0x00))));
    try {
      const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/mqtt`;
      await expect(connect(url, { clientId: 'c' })).rejects.toMatchObject({ code: 'ERR_CONNECTION', message: expect.stringMatching(/text frame/) });
    } finally {
      for (const socket of server.clients) socket.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('connections closed mid-packet', () => {
  test('half a CONNACK, then close: connect() rejects with ERR_CONNECTION', async () => {
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      peer.sendBytes([0x20, 0x02, 0x00]);
      peer.socket.end();
    });
    await expect(connect(broker.url, { clientId: 'c' })).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
  });

  test('half a PUBLISH, then close: nothing is delivered from it; the whole one on the next connection is, once', async () => {
    const broker = await hostile(
      acceptThen((peer) => {
        if (peer.index > 0) {
          peer.send(publish(1, 1, 'whole'));
          return;
        }
        peer.sendBytes(encode(publish(1, 1, 'partial'), peer.version).slice(0, -3));
        peer.socket.end();
      }),
    );
    const client = victim(broker);
    const second = await broker.connection(1);
    await second.next('puback');
    expect(client.messages.map((m) => new TextDecoder().decode(m.payload))).toEqual(['whole']);
    expect(client.disconnects[0]?.error).toMatchObject({ code: 'ERR_CONNECTION' });
  });

  test('cut at every byte of a PUBACK: the QoS 1 publish is resent with DUP=1 and settles once', async () => {
    const cutAt = [1, 2, 3]; // a PUBACK is 4 bytes in 3.1.1: cut after 1, 2 and 3 of them
    const broker = await hostile(async (peer) => {
      await peer.next('connect');
      peer.send({ type: 'connack', sessionPresent: peer.index > 0, reasonCode: 0 }, 4);
      const { packetId } = await peer.next('publish');
      const puback = [0x40, 0x02, 0x00, packetId!];
      const cut = cutAt[peer.index];
      if (cut === undefined) {
        peer.sendBytes(puback);
        return;
      }
      peer.sendBytes(puback.slice(0, cut));
      peer.socket.end();
    });
    const client = victim(broker, { protocolVersion: 4, clean: false });
    const results: unknown[] = [];
    await client.client.publish('t', 'x', { qos: 1 }).then((result) => results.push(result));
    expect(results).toHaveLength(1);
    expect(broker.peers).toHaveLength(4);
    for (const peer of broker.peers.slice(1)) expect(peer.received.find((p) => p.type === 'publish')).toMatchObject({ dup: true });
  });
});

describe('fire and forget', () => {
  test('publishes nobody awaits, abandoned by a forced end against a silent broker, leave no unhandled rejection', async () => {
    const broker = await hostile(() => {});
    const client = victim(broker);
    for (let i = 0; i < 20; i++) void client.client.publish('t', `m${i}`, { qos: (i % 3) as 0 | 1 | 2 });
    void client.client.subscribe('a/#');
    void client.client.unsubscribe('a/#');
    void client.client.whenConnected();
    await broker.connection(0);
    await client.client.end({ force: true });
    // detectProcessErrors() checks after this test that nothing went unhandled.
  });
});
