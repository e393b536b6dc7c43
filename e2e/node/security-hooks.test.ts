// The reference broker's authenticate / authorizePublish / authorizeSubscribe hooks hold for
// every CONNECT, PUBLISH (QoS 0, 1, 2, retained, wills) and SUBSCRIBE, over TCP and WebSocket
// alike, in 3.1.1 and 5.0: a refused message reaches no subscriber and is not retained, a
// refused filter delivers nothing, and the hooks are asked once per packet, with who asks.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, type ClientInfo, createBroker } from '@courier/broker';
import { connect, type Message, type MqttClient, type ProtocolVersion } from '@courier/node';

const PASSWORD = 'letmein';
let broker: Broker;
const published: { client: ClientInfo; topic: string }[] = [];
const subscribed: { client: ClientInfo; filter: string }[] = [];

beforeAll(async () => {
  broker = await createBroker({
    port: 0,
    wsPort: 0,
    authenticate: ({ username, password }) => username === 'alice' && new TextDecoder().decode(password) === PASSWORD,
    authorizePublish(client, topic) {
      published.push({ client, topic });
      return !topic.startsWith('secret/');
    },
    authorizeSubscribe(client, filter) {
      subscribed.push({ client, filter });
      return !filter.startsWith('secret/');
    },
  });
});
afterAll(() => broker.close());

const url = (transport: 'tcp' | 'ws') => (transport === 'tcp' ? `mqtt://127.0.0.1:${broker.port}` : `ws://127.0.0.1:${broker.wsPort}/mqtt`);
const other = (transport: 'tcp' | 'ws') => (transport === 'tcp' ? 'ws' : 'tcp');

describe.each(['tcp', 'ws'] as const)('over %s', (transport) => {
  describe.each([4, 5] as const)('MQTT %s', (protocolVersion: ProtocolVersion) => {
    const tag = `${transport}-${protocolVersion}`;
    const open = (clientId: string, through = transport) =>
      connect(url(through), { clientId: `${clientId}-${tag}`, protocolVersion, username: 'alice', password: PASSWORD, reconnect: false });

    test('authenticate refuses a wrong password and a missing one', async () => {
      for (const password of ['wrong', undefined]) {
        const options = { clientId: `intruder-${tag}`, protocolVersion, username: 'alice', reconnect: false as const };
        await expect(connect(url(transport), password === undefined ? options : { ...options, password })).rejects.toMatchObject({
          code: 'ERR_CONNECT_REFUSED',
        });
      }
    });

    test('a refused PUBLISH at any QoS, retained or not, reaches no subscriber on either transport and is not retained', async () => {
      const clients: MqttClient[] = [];
      try {
        // A subscriber to everything, on the other transport, and one on the same.
        const received: Message[] = [];
        for (const through of [transport, other(transport)] as const) {
          const subscriber = await open(`watcher-${through}`, through);
          clients.push(subscriber);
          subscriber.on('message', (message) => received.push(message));
          await subscriber.subscribe(`+/${tag}/#`, { qos: 2 });
        }
        const publisher = await open('publisher');
        clients.push(publisher);
        const before = published.length;
        for (const qos of [0, 1, 2] as const) {
          for (const retain of [false, true]) {
            const attempt = publisher.publish(`secret/${tag}/${qos}`, 'classified', { qos, retain });
            // 5.0 says no with 0x87 for QoS 1 and 2; 3.1.1 cannot say no, so it is acknowledged and dropped (3.3.5).
            if (protocolVersion === 5 && qos > 0) await expect(attempt).rejects.toMatchObject({ code: 'ERR_PUBLISH_REJECTED', reasonCode: 0x87 });
            else await attempt;
          }
        }
        await publisher.publish(`public/${tag}/end`, 'open', { qos: 2 });
        // The public message after them arrives at both subscribers; nothing before it did.
        await expect.poll(() => received.length).toBe(2);
        expect(received.map((m) => m.topic)).toEqual([`public/${tag}/end`, `public/${tag}/end`]);
        // Asked once for each of the 7 publishes, with the publisher's identity.
        const asked = published.slice(before);
        expect(asked).toHaveLength(7);
        expect(asked.every(({ client }) => client.clientId === `publisher-${tag}` && client.username === 'alice')).toBe(true);

        const late = await open('late');
        clients.push(late);
        const retained: Message[] = [];
        late.on('message', (message) => retained.push(message));
        await late.subscribe(`public/${tag}/#`, { qos: 1 });
        await late.subscribe(`+/${tag}/+`, { qos: 1 });
        await late.publish(`public/${tag}/marker`, 'end', { qos: 1 });
        await expect.poll(() => retained.some((m) => m.topic === `public/${tag}/marker`)).toBe(true);
        expect(retained.filter((m) => m.topic.startsWith('secret/'))).toEqual([]);
      } finally {
        await Promise.all(clients.map((client) => client.end()));
      }
    });

    test('a refused SUBSCRIBE delivers nothing, and the hook is asked for each filter', async () => {
      const clients: MqttClient[] = [];
      try {
        const subscriber = await open('snoop');
        clients.push(subscriber);
        const received: Message[] = [];
        subscriber.on('message', (message) => received.push(message));
        const before = subscribed.length;
        await expect(subscriber.subscribe([`secret/${tag}/#`, `open/${tag}`], { qos: 2 })).rejects.toMatchObject({
          code: 'ERR_SUBSCRIBE_REJECTED',
          failures: [{ topicFilter: `secret/${tag}/#`, reasonCode: protocolVersion === 5 ? 0x87 : 0x80 }],
        });
        expect(subscribed.slice(before).map(({ filter }) => filter)).toEqual([`secret/${tag}/#`, `open/${tag}`]);
        // What the accepted filter matches arrives; the refused one matches nothing.
        const publisher = await open('source', other(transport));
        clients.push(publisher);
        await publisher.publish(`open/${tag}`, 'allowed', { qos: 1 });
        await expect.poll(() => received.map((m) => m.topic)).toEqual([`open/${tag}`]);
      } finally {
        await Promise.all(clients.map((client) => client.end()));
      }
    });

    test('a will on a refused topic refuses the connection', async () => {
      await expect(
        connect(url(transport), {
          clientId: `testator-${tag}`,
          protocolVersion,
          username: 'alice',
          password: PASSWORD,
          reconnect: false,
          will: { topic: `secret/${tag}/will`, payload: 'last words' },
        }),
      ).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED' });
    });
  });
});
