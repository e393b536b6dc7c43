// Scripted brokers that bend the spec or set tight limits; the client never hangs on them and
// never sends what they announced they refuse.
// - Acks of the wrong kind: every PUBLISH answered with the ack of the other QoS flow, PUBACK for
//   QoS 2 (as RabbitMQ 3.10 does; e2e/node/rabbitmq.test.ts runs the real one), PUBREC for QoS 1.
// - A message before CONNACK [MQTT-3.2.0-1], as an Aedes 1.2 node taking over a session writes
//   one (e2e/node/cluster-aedes.test.ts meets the real one): taken after the CONNACK.
// - Limits [MQTT-3.2.2-14], [MQTT-3.2.2-15]: Maximum Packet Size 30 and Retain Available 0 (as
//   the fake brokers of Mosquitto's client tests announce); each operation that would break them
//   rejects with a typed error and nothing of it reaches the broker, whose connection stays up (a
//   real broker would close it with 0x95).
import { afterEach, describe, expect, test } from 'vitest';
import type { Packet, PublishPacket } from '@courier/core';
import { connect, connectedClient, createClient, type MqttClient } from '@courier/node';
import { accept, HostileBroker, type HostilePeer } from '../support/hostile-broker';

let broker: HostileBroker | undefined;
let client: MqttClient | undefined;
afterEach(async () => {
  await client?.end({ force: true });
  await broker?.close();
  client = broker = undefined;
});

/** Answers the n-th packet of `type` the client sends with `answer(packet)`, for every n. */
async function answerEach<T extends Packet['type']>(peer: HostilePeer, type: T, answer: (packet: Extract<Packet, { type: T }>) => Packet): Promise<void> {
  for (let n = 1; !peer.isClosed; n++) {
    await peer.count(type, n, 60_000).catch(() => undefined);
    const packet = peer.received.filter((p) => p.type === type)[n - 1] as Extract<Packet, { type: T }> | undefined;
    if (packet !== undefined) peer.send(answer(packet));
  }
}

async function deviant(answer: (publish: PublishPacket) => Packet): Promise<{ client: MqttClient; warnings: string[] }> {
  broker = await HostileBroker.start(async (peer) => {
    await peer.next('connect');
    accept(peer);
    await Promise.all([
      answerEach(peer, 'publish', answer),
      answerEach(peer, 'pubrel', (pubrel) => ({ type: 'pubcomp', packetId: pubrel.packetId })),
    ]);
  });
  client = await connect(broker.url, { clientId: 'deviations', protocolVersion: 4, maxInflight: 5, reconnect: false });
  const warnings: string[] = [];
  client.on('warning', (error) => warnings.push(error.message));
  return { client, warnings };
}

describe('acks of the wrong kind', () => {
  test('QoS 2 answered with PUBACK: every publish resolves, acknowledged at QoS 1, one warning; more than the window of them never stalls a QoS 1 publish', async () => {
    const { client, warnings } = await deviant((publish) => ({ type: 'puback', packetId: publish.packetId! }));
    const qos2 = Array.from({ length: 12 }, (_, n) => client.publish('t', `q2-${n}`, { qos: 2 }));
    const qos1 = client.publish('t', 'q1', { qos: 1 });
    const results = await Promise.all(qos2);
    expect(results.map((result) => [result.qos, result.acknowledgedAtQos])).toEqual(Array.from({ length: 12 }, () => [2, 1]));
    expect(await qos1).not.toHaveProperty('acknowledgedAtQos');
    expect(warnings).toEqual([expect.stringMatching(/PUBACK for a QoS 2 message/)]);
  });

  test('QoS 1 answered with PUBREC: the flow ends as QoS 2 (PUBREL, PUBCOMP) and the publish resolves, acknowledged at QoS 2, one warning', async () => {
    const { client, warnings } = await deviant((publish) => ({ type: 'pubrec', packetId: publish.packetId! }));
    const results = await Promise.all([client.publish('t', 'a', { qos: 1 }), client.publish('t', 'b', { qos: 1 })]);
    expect(results.map((result) => [result.qos, result.acknowledgedAtQos])).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(warnings).toEqual([expect.stringMatching(/PUBREC for a QoS 1 message/)]);
    const peer = await broker!.connection(0);
    expect(peer.counts.get('pubrel')).toBe(2);
  });
});

describe('a message before CONNACK', () => {
  test('[MQTT-3.2.0-1] a PUBLISH and a PUBREL written before CONNACK are answered after it, the message delivered once, one warning, and the connection stays', async () => {
    broker = await HostileBroker.start(async (peer) => {
      await peer.next('connect');
      peer.send({ type: 'publish', topic: 'early/1', payload: new TextEncoder().encode('before'), qos: 1, dup: false, retain: false, packetId: 9 });
      peer.send({ type: 'pubrel', packetId: 4 });
      peer.send({ type: 'connack', sessionPresent: true, reasonCode: 0 });
    });
    client = createClient(broker.url, { clientId: 'early', protocolVersion: 4, clean: false, reconnect: false });
    const warnings: string[] = [];
    client.on('warning', (error) => warnings.push(`${error.code}: ${error.message}`));
    const messages: string[] = [];
    client.on('message', (message) => messages.push(`${message.topic} ${new TextDecoder().decode(message.payload)}`));
    await connectedClient(client);
    const peer = await broker.connection(0);
    await peer.next('puback');
    await peer.next('pubcomp');
    const answers = peer.received.filter((p) => p.type !== 'connect');
    expect(answers).toHaveLength(2); // in either order: the PUBACK waits for the handler
    expect(answers).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'puback', packetId: 9 }), expect.objectContaining({ type: 'pubcomp', packetId: 4 })]));
    expect(messages).toEqual(['early/1 before']);
    expect(warnings).toEqual(['ERR_PROTOCOL: the broker sent PUBLISH before CONNACK']);
    expect(peer.isClosed).toBe(false);
    expect(broker.peers).toHaveLength(1);
    expect(broker.errors).toEqual([]);
  });
});

describe("the broker's limits hold for every packet", () => {
  test('[MQTT-3.2.2-15] [MQTT-3.2.2-14] an oversized QoS 0 PUBLISH, SUBSCRIBE and UNSUBSCRIBE and a retained QoS 0 PUBLISH reject; nothing of them is sent', async () => {
    broker = await HostileBroker.start(async (peer) => {
      await peer.next('connect');
      accept(peer, { maximumPacketSize: 30, retainAvailable: false });
    });
    client = await connect(broker.url, { clientId: 'limits', protocolVersion: 5, reconnect: false });
    const peer = await broker.connection(0);
    const invalid = { code: 'ERR_INVALID_ARGUMENT' };
    // 2 + 2 + 1 + (2 + 33) + 1 = 41 bytes; 2 + 2 + 1 + (2 + 33) = 40 bytes; 2 + 3 + 1 + 26 = 32 bytes.
    await expect(client.subscribe(`s/${'x'.repeat(31)}`, { qos: 1 })).rejects.toMatchObject({ ...invalid, message: expect.stringMatching(/41 bytes.*30 at most/) });
    await expect(client.unsubscribe(`u/${'y'.repeat(31)}`)).rejects.toMatchObject({ ...invalid, message: expect.stringMatching(/40 bytes.*30 at most/) });
    await expect(client.publish('t', new Uint8Array(26), { qos: 0 })).rejects.toMatchObject({ ...invalid, message: expect.stringMatching(/32 bytes.*30 at most/) });
    await expect(client.publish('t', 'r', { qos: 0, retain: true })).rejects.toMatchObject({ ...invalid, message: expect.stringMatching(/MQTT-3.2.2-14/) });
    // A publish that fits goes: everything before it was refused, not queued.
    await client.publish('ok', 'fits', { qos: 0 });
    await peer.next('publish');
    expect(peer.received.map((packet) => packet.type)).toEqual(['connect', 'publish']);
    expect(peer.received[1]).toMatchObject({ topic: 'ok' });
    expect(peer.isClosed).toBe(false);
    expect(broker.errors).toEqual([]);
  });
});
