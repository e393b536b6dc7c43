// The client loads the 5.0 property codec before its outbox opens (MqttClient#open). This file
// imports the client's modules alone, never `encode` or `PacketDecoder` (which install the
// property codec as they load), so the client starts without it, as in a web app; the broker
// side answers in raw bytes for that reason.
import { expect, test } from 'vitest';
import { propertiesCheckable } from '../../src/codec/property-field';
import { createClient } from '../../src/client/create-client';
import { ManualClock } from '../../src/testing/manual-clock';
import { MemoryTransport } from '../../src/testing/memory-transport';

const CONNECT = 0x10;
const PUBLISH_QOS0 = 0x30;

/** A broker that accepts every CONNECT (a CONNACK of success, in either version) and keeps what it is sent. */
function acceptingBroker(version: 4 | 5) {
  const transport = new MemoryTransport();
  const written: number[] = [];
  transport.onConnection = (peer) => {
    peer.onData = (bytes) => {
      written.push(...bytes);
      if (bytes[0] === CONNECT) peer.send(new Uint8Array(version === 5 ? [0x20, 3, 0, 0, 0] : [0x20, 2, 0, 0]));
    };
  };
  return { transport, written };
}

test('a 3.1.1 client never loads the property codec', async () => {
  const { transport } = acceptingBroker(4);
  const client = createClient({ transport, clock: new ManualClock(), clientId: 'c4', protocolVersion: 4 });
  await client.whenConnected();
  await client.publish('t', 'x');
  expect(propertiesCheckable({ contentType: 'x' }, 5)).toBe(false);
  await client.end({ force: true });
});

test('a 5.0 client checks properties given before the codec loaded once it has: a bad one rejects, a good one is sent', async () => {
  const { transport, written } = acceptingBroker(5);
  const client = createClient({ transport, clock: new ManualClock(), clientId: 'c5' });
  expect(propertiesCheckable({ contentType: 'x' }, 5)).toBe(false);
  const bad = client.publish('t', 'x', { properties: { contentType: 42 as never } });
  const good = client.publish('t', 'x', { properties: { contentType: 'x' } });
  const subscribed = client.subscribe('a', { properties: { subscriptionIdentifier: 0 } });
  await expect(bad).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: 'property contentType must be a string' });
  await expect(subscribed).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: 'property subscriptionIdentifier cannot be 0' });
  await good;
  // topic "t", Content Type (0x03) "x", payload "x"
  const publish = [PUBLISH_QOS0, 9, 0, 1, 0x74, 4, 0x03, 0, 1, 0x78, 0x78];
  const at = written.findIndex((_, i) => publish.every((b, j) => written[i + j] === b));
  expect(at).toBeGreaterThan(0);
  expect(propertiesCheckable({ contentType: 'x' }, 5)).toBe(true);
  await client.end({ force: true });
});
