// `npm run bench:memory`: heap held per in-flight QoS 1 message (payload excluded), for
// Courier's session alone, the whole Courier client, and MQTT.js, each with N messages sent and
// none acknowledged. Needs --expose-gc (the npm script passes it).
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { createClient, encode, PacketDecoder } from '@courier/core';
import { MemoryTransport } from '@courier/core/testing';
import { Session } from '../packages/core/src/session/session';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const payload = new Uint8Array(16);
const topic = 'sensors/building-7/floor-3/temperature';

/** The JS heap plus memory held by ArrayBuffers (Buffers live there, outside the heap). */
function heap(): number {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function courierSession(): Promise<number> {
  const session = new Session({
    clientId: 'mem', clean: true, keepAlive: 60, protocolVersion: 5, fallbackToV4: false, maxInflight: 65_535,
    ackTimeoutMs: 30_000, connectTimeoutMs: 30_000, pingTimeoutMs: 10_000, maxQueuedQoS0: 1_000, maxQueuedMessages: 1_000_000,
  });
  session.handle({ type: 'connectionOpened' }, 0);
  session.handle({ type: 'packetReceived', packet: { type: 'connack', sessionPresent: false, reasonCode: 0, properties: { receiveMaximum: 65_535 } } }, 0);
  const before = heap();
  for (let id = 1; id <= N; id++) {
    const actions = session.handle({ type: 'publishRequested', id, message: { topic, payload, qos: 1, retain: false } }, id);
    if (actions.length !== 1) throw new Error('expected one persist');
    session.handle({ type: 'stored', ids: [id], incoming: [] }, id);
  }
  const after = heap();
  if (session.pending().length !== N) throw new Error('messages went missing');
  return (after - before) / N;
}

async function courierClient(): Promise<number> {
  const transport = new MemoryTransport({ highWaterMark: 1 << 30 });
  transport.onConnection = (peer) => {
    const decoder = new PacketDecoder();
    peer.onData = (chunk) => {
      for (const packet of decoder.push(chunk)) {
        if (packet.type === 'connect') peer.send(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, 5));
      }
    };
  };
  const client = createClient({ transport, clientId: 'mem', maxInflight: 65_535, keepAlive: 0, ackTimeoutMs: 0 });
  await client.whenConnected();
  const before = heap();
  for (let i = 0; i < N; i++) void client.publish(topic, payload, { qos: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = heap();
  await client.end({ force: true });
  return (after - before) / N;
}

async function mqttJs(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    // Answers CONNECT with CONNACK and never acknowledges anything.
    socket.once('data', () => socket.write(Uint8Array.of(0x20, 0x02, 0x00, 0x00)));
    socket.on('data', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, keepalive: 0, reconnectPeriod: 0 });
  await new Promise((resolve) => client.once('connect', resolve));
  const shared = Buffer.from(payload);
  const before = heap();
  for (let i = 0; i < N; i++) client.publish(topic, shared, { qos: 1 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = heap();
  client.end(true);
  for (const socket of sockets) socket.destroy();
  server.close();
  return (after - before) / N;
}

if ((globalThis as { gc?: unknown }).gc === undefined) throw new Error('run with node --expose-gc');
const session = await courierSession();
const client = await courierClient();
const rival = await mqttJs();
console.log(`# memory per in-flight QoS 1 message (${N} unacknowledged; one shared ${payload.length}-byte payload; heap + ArrayBuffers)\n`);
console.log('| | bytes per message |');
console.log('|---|---:|');
console.log(`| Courier session (the state machine alone) | ${session.toFixed(0)} |`);
console.log(`| Courier client (session, promise, memory outbox record) | ${client.toFixed(0)} |`);
console.log(`| MQTT.js 5.16 | ${rival.toFixed(0)} |`);
