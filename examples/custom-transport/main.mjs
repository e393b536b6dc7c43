// @ts-check
// A client made from @courier/core and two ports of our own, as a host without @courier/node or
// @courier/browser would make it (React Native, an embedded runtime): the transport in
// socket-transport.mjs and the clock in monotonic-clock.mjs. It subscribes, publishes at QoS 1
// and QoS 2 (each awaited: PUBACK, PUBCOMP), prints what comes back, and ends.
// BROKER_HOST and BROKER_PORT say where the broker is (default 127.0.0.1:1883).
import { connectedClient, createClient } from '@courier/core';
import { monotonicClock } from './monotonic-clock.mjs';
import { socketTransport } from './socket-transport.mjs';

const host = process.env.BROKER_HOST ?? '127.0.0.1';
const port = Number(process.env.BROKER_PORT ?? 1883);

const client = await connectedClient(
  createClient({ transport: socketTransport({ host, port }), clock: monotonicClock(), clientId: 'custom-transport-1' }),
);
console.log(`connected to ${host}:${port} through socketTransport`);
const received = client.messages('custom/#');
await client.subscribe('custom/#', { qos: 2 });
for (const qos of /** @type {const} */ ([1, 2])) {
  const { packetId } = await client.publish(`custom/qos${qos}`, `hello at QoS ${qos}`, { qos });
  console.log(`published at QoS ${qos}: the broker acknowledged packet id ${packetId} (${qos === 1 ? 'PUBACK' : 'PUBCOMP'})`);
}
let count = 0;
for await (const { topic, payload, qos } of received) {
  console.log(`received ${topic} at QoS ${qos}: ${new TextDecoder().decode(payload)}`);
  if (++count === 2) break;
}
await client.end();
console.log('ended');
