import { afterEach, describe, expect, test, vi } from 'vitest';
import { createClient, encode, formatPacket, type CreateClientOptions, type MqttClient, type PacketEvent } from '@courier/core';
import { flush, ManualClock } from '@courier/core/testing';
import * as tap from '../../src/client/packet-tap';
import { ScriptedBroker } from './scripted-broker';

// Counts the descriptions built, to prove that none is while nobody listens.
vi.mock('../../src/client/packet-tap', async (original) => {
  const actual = await original<typeof import('../../src/client/packet-tap')>();
  return { ...actual, describePacket: vi.fn(actual.describePacket) };
});

let clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.map((client) => client.end({ force: true })));
  clients = [];
  vi.mocked(tap.describePacket).mockClear();
});

function setup(options: Partial<CreateClientOptions> = {}) {
  const broker = new ScriptedBroker();
  const client = createClient({ transport: broker.transport, clock: new ManualClock(), clientId: 'c1', ...options });
  clients.push(client);
  const packets: PacketEvent[] = [];
  client.on('packet', (packet) => packets.push(packet));
  return { broker, client, packets };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("the debug tap: the client's packet event", () => {
  test('sees a full QoS 2 flow out and in, with ids, QoS, flags, topics, sizes and reason codes', async () => {
    const { broker, client, packets } = setup();
    client.on('message', () => {});
    await client.whenConnected();
    await client.subscribe('in/#', { qos: 2 });
    await client.publish('out/a', 'hello', { qos: 2, retain: true });
    broker.send({ type: 'publish', topic: 'in/b', payload: bytes('hi'), qos: 2, dup: true, retain: false, packetId: 9 });
    await broker.waitFor((p) => p.type === 'pubrec' && p.packetId === 9);
    broker.send({ type: 'pubrel', packetId: 9, reasonCode: 0 });
    await broker.waitFor((p) => p.type === 'pubcomp' && p.packetId === 9);
    await flush();
    expect(packets.map(({ direction, type }) => `${direction} ${type}`)).toEqual([
      'out connect',
      'in connack',
      'out subscribe',
      'in suback',
      'out publish',
      'in pubrec',
      'out pubrel',
      'in pubcomp',
      'in publish',
      'out pubrec',
      'in pubrel',
      'out pubcomp',
    ]);
    const [connect, connack, subscribe, suback, publish, pubrec, pubrel, pubcomp, incoming] = packets;
    expect(connect).toEqual({ direction: 'out', type: 'connect', size: expect.any(Number), clientId: 'c1', clean: true, keepAlive: 60 });
    expect(connack).toEqual({ direction: 'in', type: 'connack', size: expect.any(Number), sessionPresent: false, reasonCode: 0 });
    expect(subscribe).toEqual({ direction: 'out', type: 'subscribe', size: 12, packetId: 1, topicFilters: ['in/#'] });
    expect(suback).toEqual({ direction: 'in', type: 'suback', size: 6, packetId: 1, reasonCodes: [2] });
    expect(publish).toEqual({ direction: 'out', type: 'publish', size: 17, packetId: 2, qos: 2, dup: false, retain: true, topic: 'out/a', payloadSize: 5 });
    expect([pubrec, pubrel, pubcomp]).toEqual([
      { direction: 'in', type: 'pubrec', size: 4, packetId: 2, reasonCode: 0 },
      { direction: 'out', type: 'pubrel', size: 4, packetId: 2 },
      { direction: 'in', type: 'pubcomp', size: 4, packetId: 2, reasonCode: 0 },
    ]);
    expect(incoming).toEqual({ direction: 'in', type: 'publish', size: 13, packetId: 9, qos: 2, dup: true, retain: false, topic: 'in/b', payloadSize: 2 });
    expect(packets.slice(9)).toEqual([
      { direction: 'out', type: 'pubrec', size: 4, packetId: 9 },
      { direction: 'in', type: 'pubrel', size: 4, packetId: 9, reasonCode: 0 },
      { direction: 'out', type: 'pubcomp', size: 4, packetId: 9 },
    ]);
    // Every size is the packet's encoded length.
    expect(publish!.size).toBe(encode({ type: 'publish', topic: 'out/a', payload: bytes('hello'), qos: 2, dup: false, retain: true, packetId: 2, properties: {} }, 5).length);
    expect(connect!.size).toBe(broker.sent('connect').map((p) => encode(p, 5).length)[0]);
  });

  test('a CONNECT never shows its username, password, will or authentication data, in the event or its line', async () => {
    const { client, packets } = setup({
      username: 'alice-user',
      password: 'hunter2-secret',
      will: { topic: 'wills/c1', payload: 'will-body' },
      authenticationMethod: 'TOKEN-METHOD',
      authenticate: async (_data, { step }) => (step === 'start' ? bytes('auth-data-secret') : new Uint8Array(0)),
    });
    await client.whenConnected();
    const text = JSON.stringify(packets) + packets.map(formatPacket).join('\n');
    for (const secret of ['alice-user', 'hunter2', 'will-body', 'wills/c1', 'TOKEN-METHOD', 'auth-data']) expect(text).not.toContain(secret);
    expect(packets[0]).toMatchObject({ type: 'connect', clientId: 'c1' });
  });

  test('hides payloads unless debug.payloads asks for them', async () => {
    const hidden = setup();
    await hidden.client.publish('t', 'payload-text', { qos: 1 });
    expect(JSON.stringify(hidden.packets) + hidden.packets.map(formatPacket).join('\n')).not.toContain('payload-text');
    expect(hidden.packets.find((p) => p.type === 'publish')).toMatchObject({ payloadSize: 12 });

    const shown = setup({ debug: { payloads: true } });
    await shown.client.publish('t', 'payload-text', { qos: 1 });
    const publish = shown.packets.find((p) => p.type === 'publish')!;
    expect(publish.payload).toEqual(bytes('payload-text'));
    expect(formatPacket(publish)).toBe('out PUBLISH id=1 qos=1 topic="t" payload=12B "payload-text" size=20B');
  });

  test('shows topic aliases as they go on the wire', async () => {
    const { broker, client, packets } = setup({ autoTopicAliases: true });
    broker.connackProperties = { topicAliasMaximum: 4 };
    await client.publish('long/topic', 'a', { qos: 1 });
    await client.publish('long/topic', 'b', { qos: 1 });
    const lines = packets.filter((p) => p.type === 'publish').map(formatPacket);
    expect(lines).toEqual(['out PUBLISH id=1 qos=1 topic="long/topic" alias=1 payload=1B size=21B', 'out PUBLISH id=2 qos=1 topic="" alias=1 payload=1B size=11B']);
  });

  test('costs nothing when off: no packet is described while no handler listens', async () => {
    const broker = new ScriptedBroker();
    const client = createClient({ transport: broker.transport, clock: new ManualClock(), clientId: 'c2' });
    clients.push(client);
    await client.publish('t', 'x', { qos: 1 });
    expect(tap.describePacket).not.toHaveBeenCalled();
    const handler = () => {};
    client.on('packet', handler);
    await client.publish('t', 'x', { qos: 1 });
    expect(tap.describePacket).toHaveBeenCalledTimes(2); // PUBLISH, PUBACK
    client.off('packet', handler);
    await client.publish('t', 'x', { qos: 1 });
    expect(tap.describePacket).toHaveBeenCalledTimes(2);
  });

  test('the packets of a chunk that ends in a malformed frame are reported, then the failure', async () => {
    const { broker, client, packets } = setup();
    await client.whenConnected();
    const pingresp = encode({ type: 'pingresp' }, 5);
    broker.sendBytes(Uint8Array.of(...pingresp, 0x00, 0x00));
    await flush();
    expect(packets.filter((p) => p.direction === 'in').map((p) => p.type)).toEqual(['connack', 'pingresp']);
    expect(packets.at(-1)).toMatchObject({ direction: 'out', type: 'disconnect', reasonCode: 0x81 });
  });
});
