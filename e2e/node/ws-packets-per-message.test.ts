// [MQTT-6.0.0-2] allows several MQTT packets in one WebSocket message, but brokers are most surely
// tested with one each, and Paho's reference broker stalls on the rest of a message (it reads
// one message, then waits on its socket). @courier/node sends one packet per message unless
// told to coalesce.
import { afterEach, expect, test } from 'vitest';
import { connect } from '@courier/node';
import { type PacketCountingServer, startPacketCountingServer } from '../support/packet-counting-ws-server';

let server: PacketCountingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Connects, publishes `count` QoS 1 messages in one tick, awaits them, ends. */
async function burst(count: number, coalesceWebSocketMessages?: boolean): Promise<number[]> {
  server = await startPacketCountingServer();
  const client = await connect(server.url, {
    protocolVersion: 4,
    clientId: 'burst',
    reconnect: false,
    ...(coalesceWebSocketMessages === undefined ? {} : { coalesceWebSocketMessages }),
  });
  await Promise.all(Array.from({ length: count }, (_, i) => client.publish('t', `m${i}`, { qos: 1 })));
  await client.end();
  await server.connectionClosed();
  return server.packetsPerMessage;
}

test('by default each MQTT packet goes in a WebSocket message of its own, also in a burst', async () => {
  const perMessage = await burst(20);
  // CONNECT, 20 PUBLISH, DISCONNECT.
  expect(perMessage.reduce((a, b) => a + b, 0)).toBe(22);
  expect(perMessage.filter((n) => n !== 1)).toEqual([]);
});

test('coalesceWebSocketMessages: true puts the packets of one tick in one message', async () => {
  const perMessage = await burst(20, true);
  expect(perMessage.reduce((a, b) => a + b, 0)).toBe(22);
  expect(Math.max(...perMessage)).toBeGreaterThan(1);
});
