// Automatic topic aliases (autoTopicAliases) against the reference broker and Mosquitto, both
// of which allow 10 aliases by default (Mosquitto's max_topic_alias): the bytes a 5.0 publisher
// saves with 60-byte topics, counted on the socket by a proxy, subscribers getting the right
// topics, and a connection cut mid-stream whose resends carry the full topic again [MQTT-3.3.2-7].
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, type Message, type MqttClient, type PacketEvent } from '@courier/node';
import { type BrokerUnderTest, startBroker } from '../support/brokers';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy';

const TOPICS = 3;
const MESSAGES = 300;
const topicOf = (prefix: string, i: number) => `${prefix}/${'telemetry/'.repeat(6)}`.slice(0, 58) + `/${i % TOPICS}`;

/** Every message a subscriber gets, by payload: the topic it came on, and how often. */
function collect(client: MqttClient): Map<string, { topic: string; count: number }> {
  const seen = new Map<string, { topic: string; count: number }>();
  client.on('message', (message: Message) => {
    const key = new TextDecoder().decode(message.payload);
    const entry = seen.get(key);
    if (entry === undefined) seen.set(key, { topic: message.topic, count: 1 });
    else entry.count++;
  });
  return seen;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(['reference', 'mosquitto'] as const)('automatic topic aliases against the %s broker', (name) => {
  let broker: BrokerUnderTest;
  let proxy: CountingProxy;
  let subscriber: MqttClient;
  let received: Map<string, { topic: string; count: number }>;
  beforeAll(async () => {
    broker = await startBroker(name);
    proxy = await startCountingProxy(Number(new URL(broker.url('tcp')).port));
    subscriber = await connect(broker.url('tcp'), { clientId: `aliases-sub-${name}` });
    received = collect(subscriber);
    await subscriber.subscribe(`${name}/#`, { qos: 1 });
  });
  afterAll(async () => {
    await subscriber?.end();
    await proxy?.close();
    await broker?.stop();
  });

  test('a 5.0 publisher with 60-byte topics sends 57 bytes less per message after the first to each topic, and subscribers get the right topics', async () => {
    const sent: Record<string, number> = {};
    for (const mode of ['plain', 'alias'] as const) {
      const client = await connect(`mqtt://127.0.0.1:${proxy.port}`, { clientId: `aliases-${mode}-${name}`, autoTopicAliases: mode === 'alias' });
      try {
        expect((await client.whenConnected()).connack.properties?.topicAliasMaximum).toBe(10);
        proxy.reset();
        await Promise.all(Array.from({ length: MESSAGES }, (_, i) => client.publish(topicOf(name, i), `${mode}-${String(i).padStart(3, '0')}`, { qos: 1 })));
        sent[mode] = proxy.up; // every PUBLISH is acknowledged: all its bytes went through
      } finally {
        await client.end();
      }
    }
    expect(topicOf(name, 0)).toHaveLength(60);
    // The first PUBLISH to each topic carries its alias too (3 bytes); the others carry the alias
    // (3 bytes) instead of the topic (60).
    expect(sent.plain! - sent.alias!).toBe((MESSAGES - TOPICS) * 57 - TOPICS * 3);
    console.log(`${name}: ${MESSAGES} QoS 1 PUBLISHes to ${TOPICS} 60-byte topics, client to broker: ${sent.plain} bytes plain, ${sent.alias} bytes with autoTopicAliases (${((1 - sent.alias! / sent.plain!) * 100).toFixed(1)}% less)`);
    await until(() => [...received.keys()].filter((key) => !key.startsWith('r-')).length === 2 * MESSAGES, 'every message at the subscriber');
    for (const [key, { topic }] of received) {
      if (!key.startsWith('r-')) expect(topic).toBe(topicOf(name, Number(key.slice(-3))));
    }
  });

  test('[MQTT-3.3.2-7] after a connection cut mid-stream, the resends carry the full topic and set the aliases again; nothing is lost, every topic right', async () => {
    const client = await connect(`mqtt://127.0.0.1:${proxy.port}`, {
      clientId: `aliases-resend-${name}`,
      clean: false,
      autoTopicAliases: true,
      reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
    });
    const wire: (PacketEvent | 'connect')[] = [];
    const errors: unknown[] = [];
    client.on('packet', (packet) => {
      if (packet.direction === 'out' && packet.type === 'publish') wire.push(packet);
    });
    client.on('connect', () => wire.push('connect'));
    client.on('error', (error) => errors.push(error));
    try {
      const start = proxy.up;
      proxy.onUp = (total) => {
        if (total - start < 3_000) return;
        proxy.onUp = undefined;
        proxy.cut();
      };
      await Promise.all(Array.from({ length: MESSAGES }, (_, i) => client.publish(topicOf(name, i), `r-${String(i).padStart(3, '0')}`, { qos: 1 })));
      // The first connect came before the handler: each one here is a reconnect.
      expect(wire.filter((event) => event === 'connect').length).toBeGreaterThanOrEqual(1);
      const publishes = wire.filter((event): event is PacketEvent => event !== 'connect');
      const resent = publishes.filter((packet) => packet.dup === true);
      expect(resent.length).toBeGreaterThan(0);
      expect(resent[0]!.topic).not.toBe('');
      // On each connection, an alias is set (topic and alias) before a PUBLISH uses it alone.
      let aliases = new Map<number, string>();
      for (const event of wire) {
        if (event === 'connect') {
          aliases = new Map();
          continue;
        }
        if (event.topicAlias === undefined) continue;
        if (event.topic !== '') aliases.set(event.topicAlias, event.topic!);
        else expect(aliases.has(event.topicAlias)).toBe(true);
      }
      expect(errors).toEqual([]);
      await until(() => [...received.keys()].filter((key) => key.startsWith('r-')).length === MESSAGES, 'every resent message at the subscriber');
      for (const [key, { topic }] of received) {
        if (key.startsWith('r-')) expect(topic).toBe(topicOf(name, Number(key.slice(2))));
      }
    } finally {
      await client.end();
    }
  });
});
