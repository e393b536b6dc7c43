// What a persistent session has waiting arrives with the CONNACK, before `await connect()`
// returns and before the application can add its handler. Those messages wait for the handler
// (or stream) instead of being emitted to nobody; and if the client ends before either exists,
// they were never acknowledged, so the broker sends them again next time.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, type MqttClient } from '@courier/node';
import { type BrokerUnderTest, startBroker } from '../support/brokers';

const COUNT = 50;
const text = (payload: Uint8Array) => new TextDecoder().decode(payload);

describe.each(['reference', 'mosquitto'] as const)('%s broker', (name) => {
  let broker: BrokerUnderTest;
  beforeAll(async () => {
    broker = await startBroker(name);
  });
  afterAll(() => broker.stop());

  /** Leaves `COUNT` messages of each QoS 1 and 2 waiting in the broker for `clientId`'s session. */
  async function leaveWaiting(clientId: string): Promise<string[]> {
    const topic = `waiting/${clientId}`;
    const subscriber = await connect(broker.url('tcp'), { clientId, clean: false });
    await subscriber.subscribe(topic, { qos: 2 });
    await subscriber.end();
    const publisher = await connect(broker.url('tcp'), { clientId: `${clientId}-pub` });
    const sent: string[] = [];
    for (let i = 0; i < COUNT * 2; i++) sent.push(`${i}`);
    await Promise.all(sent.map((body, i) => publisher.publish(topic, body, { qos: i % 2 === 0 ? 1 : 2 })));
    await publisher.end();
    return sent;
  }

  async function collect(client: MqttClient, count: number): Promise<string[]> {
    const got: string[] = [];
    await new Promise<void>((resolve) => {
      client.on('message', (m) => {
        got.push(text(m.payload));
        if (got.length === count) resolve();
      });
    });
    return got;
  }

  test("a handler added after 'await connect()' gets every message the session had waiting, in order", async () => {
    const sent = await leaveWaiting(`waiting-on-${name}`);
    const client = await connect(broker.url('tcp'), { clientId: `waiting-on-${name}`, clean: false });
    try {
      expect((await collect(client, sent.length)).sort((a, b) => Number(a) - Number(b))).toEqual(sent);
    } finally {
      await client.end();
    }
  });

  test("a stream opened after 'await connect()' gets them too", async () => {
    const sent = await leaveWaiting(`waiting-stream-${name}`);
    const client = await connect(broker.url('tcp'), { clientId: `waiting-stream-${name}`, clean: false });
    const got: string[] = [];
    try {
      for await (const message of client.messages()) {
        got.push(text(message.payload));
        if (got.length === sent.length) break;
      }
      expect(got.sort((a, b) => Number(a) - Number(b))).toEqual(sent);
    } finally {
      await client.end();
    }
  });

  test('a client that ends before adding a handler leaves them owed: the next connection gets each QoS 2 message once', async () => {
    const clientId = `waiting-end-${name}`;
    const sent = await leaveWaiting(clientId);
    const first = await connect(broker.url('tcp'), { clientId, clean: false });
    await first.end();
    const second = await connect(broker.url('tcp'), { clientId, clean: false });
    try {
      const got = await collect(second, sent.length);
      expect(got.sort((a, b) => Number(a) - Number(b))).toEqual(sent);
      await new Promise((resolve) => setTimeout(resolve, 200)); // room for a wrongful second copy
      expect(got).toHaveLength(sent.length);
    } finally {
      await second.end();
    }
  });
});
