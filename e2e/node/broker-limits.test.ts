// The limits a broker announces in CONNACK hold for every packet the client sends, at every QoS
// [MQTT-3.2.2-14], [MQTT-3.2.2-15]. A scripted broker announces Maximum Packet Size 30 and Retain
// Available 0 (as the fake brokers of Mosquitto's client tests do); each operation that would
// break them rejects with a typed error and nothing of it reaches the broker, whose connection
// stays up (a real broker would close it with 0x95).
import { afterEach, expect, test } from 'vitest';
import { connect, type MqttClient } from '@courier/node';
import { accept, HostileBroker } from '../support/hostile-broker';

let broker: HostileBroker | undefined;
let client: MqttClient | undefined;
afterEach(async () => {
  await client?.end({ force: true });
  await broker?.close();
  client = broker = undefined;
});

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
