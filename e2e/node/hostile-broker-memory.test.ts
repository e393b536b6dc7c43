// Floods from a hostile broker over real TCP against @courier/node, measuring what the process
// retains (heap + ArrayBuffers after full GCs) before and after: a queue without a bound shows up
// as tens of MiB. Figures go to RELIABILITY.md ("Hostile peers").
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { encode, type MqttClient, type MqttError, type ProtocolVersion } from '@courier/core';
import { createClient } from '@courier/node';
import { MiB, retainedBytes } from '../support/heap';
import { acceptThen, HostileBroker, type HostilePeer, MARKER_ID } from '../support/hostile-broker';
import { detectProcessErrors } from '../support/process-errors';
import { eventually } from '../support/watched-client';

detectProcessErrors();

/** Growth a bounded client stays well under; an unbounded queue in these floods takes 50+ MiB. */
const BOUND = 16 * MiB;
/** Unacknowledged messages that wait for a handler: every packet id but the one `readAll` uses. */
const HELD = MARKER_ID - 1;
/** What a held 512-byte message may cost at most: more would mean it pins memory it does not need. */
const PER_HELD_MESSAGE = 2048;
const PAYLOAD = new Uint8Array(512).fill(0x61);

let broker: HostileBroker | undefined;
let client: MqttClient | undefined;

afterEach(async () => {
  await client?.end({ force: true });
  await broker?.close();
  expect(broker?.errors ?? []).toEqual([]);
  client = undefined;
  broker = undefined;
});

/** A client that keeps counts, not objects, so that the test itself retains nothing per message. */
interface Counted {
  client: MqttClient;
  warnings: number;
  received: number;
  noConsumer: number;
  /** Warnings that the broker went past our Receive Maximum. */
  overflows: number;
  disconnects: (MqttError | undefined)[];
}

async function floodTarget(version: ProtocolVersion, listen: boolean, options: { receiveMaximum?: number } = {}): Promise<{ client: MqttClient; peer: HostilePeer; counted: Counted }> {
  broker = await HostileBroker.start(acceptThen());
  client = createClient(broker.url, { clientId: 'flooded', protocolVersion: version, keepAlive: 0, reconnect: false, ...options });
  const counted: Counted = { client, warnings: 0, received: 0, noConsumer: 0, overflows: 0, disconnects: [] };
  client.on('warning', (warning) => {
    counted.warnings++;
    if (warning.code === 'ERR_NO_CONSUMER') counted.noConsumer++;
    if ((warning as { reasonCode?: number }).reasonCode === 0x93) counted.overflows++;
  });
  client.on('disconnect', (info) => counted.disconnects.push(info.error));
  if (listen) client.on('message', () => counted.received++);
  await client.whenConnected();
  const peer = await broker.connection(0);
  peer.record = false;
  return { client, peer, counted };
}

function publishFrame(version: ProtocolVersion, qos: 0 | 1 | 2, packetId = 0, dup = false): Uint8Array {
  return encode({ type: 'publish', topic: 'flood/t', payload: PAYLOAD, qos, dup, retain: false, ...(qos > 0 ? { packetId } : {}) }, version);
}

/** Sends HELD QoS 1/2 messages with ids 1..HELD, and waits until the client has read them. */
async function holdAll(peer: HostilePeer, version: ProtocolVersion, qos: 1 | 2, dup = false): Promise<void> {
  await peer.flood(HELD, (i) => publishFrame(version, qos, i + 1, dup));
  await peer.readAll(60_000);
}

function report(what: string, count: number, growth: number): void {
  console.log(`hostile flood: ${what}: ${count} messages, retained ${(growth / MiB).toFixed(1)} MiB more after than before`);
}

describe('floods', () => {
  // QoS 0 cannot wait unacknowledged: with nobody to take it, what is past a bound is dropped.
  const qos0Cases = [
    { name: 'MQTT 3.1.1, nobody listening: at most 1,000 wait', version: 4, stream: false, warnings: 1 },
    { name: 'MQTT 5, nobody listening: at most 1,000 wait', version: 5, stream: false, warnings: 1 },
    { name: 'MQTT 5, a messages() stream nobody reads: 1,000 unread, 1,000 held back', version: 5, stream: true, warnings: 2 },
  ] as const;
  test.each(qos0Cases)('QoS 0, $name; the rest of 100,000 are dropped with a warning', async ({ name, version, stream, warnings }) => {
    const { client: flooded, peer, counted } = await floodTarget(version, false);
    const unread = stream ? flooded.messages() : undefined;
    const frame = publishFrame(version, 0);
    await peer.flood(5_000, () => frame);
    await peer.readAll(60_000);
    const before = retainedBytes();
    await peer.flood(100_000, () => frame);
    await peer.readAll(60_000);
    const growth = retainedBytes() - before;
    report(`QoS 0, ${name}`, 100_000, growth);
    expect(counted.noConsumer).toBe(warnings);
    expect(counted.disconnects).toEqual([]);
    expect(growth).toBeLessThan(BOUND);
    await unread?.return?.();
  });

  // Nobody listening: new QoS 1/2 messages wait for a handler, unacknowledged, bounded by the
  // packet ids a broker may have in use. Past our Receive Maximum (5.0, here 65,534) the broker
  // breaks the protocol: it is reported, not disconnected (a restarted Mosquitto does it on every
  // reconnect), and the ids still bound what is held.
  const holdCases = [
    // Every id is in use: a PUBLISH under one is that message again, kept once [MQTT-2.3.1-4].
    { name: 'MQTT 3.1.1, QoS 1 sent twice', version: 4, qos: 1, lastIds: [] as number[], overflowWarnings: 0 },
    // Resends of the held are kept once; a new id past them exceeds our Receive Maximum.
    { name: 'MQTT 5, QoS 2 sent twice', version: 5, qos: 2, lastIds: [MARKER_ID], overflowWarnings: 1 },
  ] as const;
  test.each(holdCases)('$name with nobody listening: 65,534 wait, each kept once however often it comes; past our Receive Maximum a warning, no disconnect', async ({ name, version, qos, lastIds, overflowWarnings }) => {
    const { peer, counted } = await floodTarget(version, false, { receiveMaximum: HELD });
    const before = retainedBytes();
    await holdAll(peer, version, qos);
    const peak = retainedBytes() - before;
    await holdAll(peer, version, qos, true);
    const afterResends = retainedBytes() - before;
    for (const id of lastIds) peer.sendBytes(publishFrame(version, 1, id));
    await peer.readAll(60_000);
    const growth = retainedBytes() - before;
    report(`${name}: held at the peak`, HELD, peak);
    report(`${name}: after as many resends`, 2 * HELD, afterResends);
    report(`${name}: at the end`, 2 * HELD + lastIds.length, growth);
    expect(counted.overflows).toBe(overflowWarnings);
    expect(counted.disconnects).toEqual([]);
    expect(peak / HELD).toBeLessThan(PER_HELD_MESSAGE);
    expect(afterResends - peak).toBeLessThan(BOUND);
    expect(growth - afterResends).toBeLessThan(BOUND);
  });

  test('MQTT 5: QoS 1 and 2 within our Receive Maximum, with a listener: what is acknowledged is forgotten', async () => {
    const window = 100;
    const { peer, counted } = await floodTarget(5, true, { receiveMaximum: window });
    let sent = 0;
    const round = async (): Promise<void> => {
      const base = (sent % 600) + 1;
      await peer.flood(window / 2, (i) => publishFrame(5, 1, base + i));
      await peer.flood(window / 2, (i) => publishFrame(5, 2, base + 50 + i));
      sent += window;
      await peer.count('pubrec', sent / 2);
      await peer.flood(window / 2, (i) => encode({ type: 'pubrel', packetId: base + 50 + i }, 5));
      await peer.count('pubcomp', sent / 2);
      await peer.count('puback', sent / 2);
    };
    while (sent < 5_000) await round();
    const before = retainedBytes();
    while (sent < 40_000) await round();
    const growth = retainedBytes() - before;
    report('QoS 1 and 2, MQTT 5, within Receive Maximum, listener', 35_000, growth);
    expect(counted.received).toBe(40_000);
    expect(counted.disconnects).toEqual([]);
    expect(growth).toBeLessThan(BOUND);
  });

  test('acks for nothing, 100,000 of them: warnings, and nothing kept', async () => {
    const { peer, counted } = await floodTarget(5, true);
    const acks = [encode({ type: 'puback', packetId: 1 }, 5), encode({ type: 'pubcomp', packetId: 2 }, 5)];
    await peer.flood(5_000, (i) => acks[i % 2]!);
    await peer.readAll(60_000);
    const before = retainedBytes();
    await peer.flood(100_000, (i) => acks[i % 2]!);
    await peer.readAll(60_000);
    const growth = retainedBytes() - before;
    report('unknown acks, MQTT 5', 100_000, growth);
    expect(counted.warnings).toBe(105_000);
    expect(growth).toBeLessThan(BOUND);
  });
});

describe('reconnect churn', () => {
  test('2,000 connections, each cut after a CONNACK and a QoS 1 PUBLISH: nothing is retained per connection', async () => {
    // A bare server, so that the test keeps nothing per connection either.
    const sockets = new Set<Socket>();
    let accepted = 0;
    const bytes = Buffer.concat([encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, 5), publishFrame(5, 1, 1)]);
    const server = createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('close', () => sockets.delete(socket));
      socket.once('data', () => socket.end(bytes));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as { port: number }).port;
      client = createClient(`mqtt://127.0.0.1:${port}`, { clientId: 'churn', keepAlive: 0, reconnect: { initialDelayMs: 0, maxDelayMs: 0 } });
      let received = 0;
      client.on('message', () => received++);
      await eventually(() => accepted >= 500, '500 connections', 60_000);
      const before = retainedBytes();
      const start = accepted;
      await eventually(() => accepted >= start + 2_000, '2,000 more connections', 120_000);
      const growth = retainedBytes() - before;
      report('reconnect churn, a CONNACK and a QoS 1 PUBLISH per connection', 2_000, growth);
      expect(received).toBeGreaterThanOrEqual(start);
      expect(growth).toBeLessThan(2 * MiB);
    } finally {
      await client?.end({ force: true });
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a packet that announces more than it sends', () => {
  test('a 5-byte header announcing 256 MiB costs what arrived, not what was announced', async () => {
    const { peer } = await floodTarget(5, true);
    const before = retainedBytes();
    // One write: a PUBREL whose PUBCOMP shows the client read it, then the header and a little body.
    peer.sendBytes(Buffer.concat([encode({ type: 'pubrel', packetId: MARKER_ID }, 5), Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01, 0x74)]));
    await peer.count('pubcomp', 1);
    const growth = retainedBytes() - before;
    report('a PUBLISH header announcing 256 MiB, then silence', 1, growth);
    expect(peer.isClosed).toBe(false);
    expect(growth).toBeLessThan(BOUND);
  });
});
