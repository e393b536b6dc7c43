// RabbitMQ 3.10 (Debian's, plugin rabbitmq_mqtt), one node: the smoke test of npm test for the
// deviations of a broker that bends the spec. It answers a QoS 2 PUBLISH with PUBACK, as if it
// were QoS 1, and closes the socket on a 5.0 CONNECT instead of refusing it with CONNACK 0x84 (the client
// then falls back to 3.1.1 by itself).
// The three-node cluster runs behind COURIER_RABBITMQ_CLUSTER=1 (rabbitmq-cluster.test.ts).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connect, createClient, type MqttClient } from '@courier/node';
import { type RabbitCluster, startRabbitCluster } from '../support/rabbitmq';

let rabbit: RabbitCluster;
const clients: MqttClient[] = [];

beforeAll(async () => {
  rabbit = await startRabbitCluster(1);
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.end({ force: true }).catch(() => undefined)));
  await rabbit?.stop();
}, 60_000);

test('QoS 2 publishes answered with PUBACK settle, acknowledged at QoS 1, with one warning; they never fill the window', async () => {
  const url = rabbit.urls[0]!;
  const subscriber = await connect(url, { protocolVersion: 4, clientId: 'rabbit-sub' });
  clients.push(subscriber);
  const received = new Set<string>();
  subscriber.on('message', (message) => received.add(new TextDecoder().decode(message.payload)));
  await subscriber.subscribe('rabbit/t', { qos: 1 });

  const publisher = await connect(url, { protocolVersion: 4, clientId: 'rabbit-pub', maxInflight: 100 });
  clients.push(publisher);
  const warnings: string[] = [];
  publisher.on('warning', (error) => warnings.push(error.message));
  // More than maxInflight: before the fix, the window filled with QoS 2 messages that never
  // settled, and the QoS 1 message after them never went out.
  const qos2 = Array.from({ length: 150 }, (_, n) => publisher.publish('rabbit/t', `q2-${n}`, { qos: 2 }));
  const qos1 = publisher.publish('rabbit/t', 'q1', { qos: 1 });
  const results = await Promise.race([
    Promise.all(qos2),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the QoS 2 publishes did not settle within 10 s')), 10_000)),
  ]);
  expect(results.every((result) => result.qos === 2 && result.acknowledgedAtQos === 1)).toBe(true);
  expect(await qos1).not.toHaveProperty('acknowledgedAtQos');
  expect(warnings.filter((message) => /PUBACK for a QoS 2 message/.test(message))).toHaveLength(1);
  await expect.poll(() => received.size, { timeout: 10_000 }).toBe(151);
});

test('default options (MQTT 5.0) connect: RabbitMQ closes the socket on the 5.0 CONNECT, the client retries at once with 3.1.1 and says so', async () => {
  const warnings: string[] = [];
  const client = createClient(rabbit.urls[0]!, { clientId: 'rabbit-v5' });
  clients.push(client);
  client.on('warning', (error) => warnings.push(error.code));
  const started = Date.now();
  const info = await client.whenConnected();
  expect(info.protocolVersion).toBe(4);
  expect(warnings).toEqual(['ERR_FALLBACK_TO_V4']);
  expect(Date.now() - started).toBeLessThan(5_000);
  await client.publish('rabbit/v5', 'after the fallback', { qos: 1 });
});
