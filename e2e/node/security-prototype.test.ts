// Untrusted strings that name JavaScript's own machinery (`__proto__`, `constructor`,
// `prototype`, `toString`, `hasOwnProperty`) as client ids, topic levels, topic filters and 5.0
// user property names and values: they go through the client and the reference broker as plain
// data, pollute no prototype, and keep sessions, retained messages and subscriptions apart.
// (A client id like `../../x` cannot leave the file outbox's directory:
// packages/outbox-store/test/fs/file-names.test.ts.)
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect, type Message, type MqttClient, type ProtocolVersion } from '@courier/node';

const NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const prototypeNames = () => [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).sort());

let broker: Broker;
let before: string[][];
beforeAll(async () => {
  before = prototypeNames();
  broker = await createBroker({ port: 0, wsPort: 0, authorizePublish: () => true, authorizeSubscribe: () => true });
});
afterAll(async () => {
  await broker.close();
  expect(prototypeNames()).toEqual(before);
});

describe.each([4, 5] as const)('MQTT %s', (protocolVersion: ProtocolVersion) => {
  const url = () => (protocolVersion === 4 ? `mqtt://127.0.0.1:${broker.port}` : `ws://127.0.0.1:${broker.wsPort}/mqtt`);

  test('such names as topics, filters and user properties are plain data, and pollute nothing', async () => {
    const clients: MqttClient[] = [];
    try {
      const subscriber = await connect(url(), { clientId: `constructor-${protocolVersion}`, protocolVersion });
      clients.push(subscriber);
      const received: Message[] = [];
      subscriber.on('message', (message) => received.push(message));
      // One subscription per name, plus wildcards below and above them.
      await subscriber.subscribe([...NAMES.map((name) => `${protocolVersion}/${name}`), `${protocolVersion}/+/prototype`, `${protocolVersion}/__proto__/#`], { qos: 1 });
      const publisher = await connect(url(), { clientId: `__proto__-${protocolVersion}`, protocolVersion });
      clients.push(publisher);
      const userProperties: [string, string][] = NAMES.map((name) => [name, `{"polluted":true}`]);
      const topics = [...NAMES.map((name) => `${protocolVersion}/${name}`), `${protocolVersion}/constructor/prototype`, `${protocolVersion}/__proto__/__proto__`];
      for (const topic of topics) {
        await publisher.publish(topic, topic, { qos: 1, ...(protocolVersion === 5 ? { properties: { userProperties } } : {}) });
      }
      await expect.poll(() => received.length).toBe(topics.length);
      expect(received.map((m) => m.topic)).toEqual(topics);
      expect(received.map((m) => new TextDecoder().decode(m.payload))).toEqual(topics);
      for (const message of received) {
        if (protocolVersion === 5) expect(message.properties?.userProperties).toEqual(userProperties);
        if (message.properties !== undefined) expect(Object.getPrototypeOf(message.properties)).toBe(Object.prototype);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  test('sessions and retained messages named like them stay apart and survive a reconnect', async () => {
    const clients: MqttClient[] = [];
    try {
      // A persistent session per name: each keeps its own subscription while offline.
      for (const name of NAMES) {
        const client = await connect(url(), { clientId: name, protocolVersion, clean: false });
        await client.subscribe(`${protocolVersion}/inbox/${name}`, { qos: 1 });
        await client.end();
      }
      const sender = await connect(url(), { clientId: `sender-${protocolVersion}`, protocolVersion });
      clients.push(sender);
      for (const name of NAMES) {
        await sender.publish(`${protocolVersion}/inbox/${name}`, `for ${name}`, { qos: 1 });
        await sender.publish(`${protocolVersion}/retained/${name}`, `kept ${name}`, { qos: 1, retain: true });
      }
      for (const name of NAMES) {
        const received: string[] = [];
        const client = await connect(url(), { clientId: name, protocolVersion, clean: false });
        clients.push(client);
        client.on('message', (m) => received.push(`${m.topic} ${new TextDecoder().decode(m.payload)}`));
        await client.subscribe(`${protocolVersion}/retained/${name}`, { qos: 1 });
        await expect.poll(() => received.sort()).toEqual([
          `${protocolVersion}/inbox/${name} for ${name}`,
          `${protocolVersion}/retained/${name} kept ${name}`,
        ]);
        await client.end({ force: true });
      }
    } finally {
      await Promise.all(clients.map((client) => client.end({ force: true })));
    }
  });
});
