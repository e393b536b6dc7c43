// The nine publish x subscribe QoS combinations, over TCP and WebSocket, in 3.1.1 and 5.0,
// against the reference broker and Mosquitto. The received QoS is min(publish, subscription)
// (the table in shared/seeds/mqtt-qos-levels.txt); without faults nothing is lost or doubled.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, type MqttClient } from '@courier/node';
import { type BrokerUnderTest, startBroker } from '../support/brokers';
import { Receiver } from '../support/receiver';

const MESSAGES = 20;
const combinations = [0, 1, 2].flatMap((published) => [0, 1, 2].map((subscribed) => [published, subscribed] as [0 | 1 | 2, 0 | 1 | 2]));

describe.each(['reference', 'mosquitto'] as const)('against the %s broker', (name) => {
  let broker: BrokerUnderTest;
  beforeAll(async () => {
    broker = await startBroker(name);
  });
  afterAll(() => broker.stop());

  describe.each(['tcp', 'ws'] as const)('over %s', (transport) => {
    describe.each([4, 5] as const)('MQTT %s', (protocolVersion) => {
      test.each(combinations)('published at QoS %i, subscribed at QoS %i: received at the lower, each message once', async (published, subscribed) => {
        const tag = `${name}-${transport}-${protocolVersion}-${published}${subscribed}`;
        const clients: MqttClient[] = [];
        try {
          const subscriber = await connect(broker.url(transport), { clientId: `sub-${tag}`, protocolVersion });
          clients.push(subscriber);
          const receiver = new Receiver(subscriber);
          await subscriber.subscribe(`matrix/${tag}`, { qos: subscribed });
          const publisher = await connect(broker.url(transport), { clientId: `pub-${tag}`, protocolVersion });
          clients.push(publisher);
          const results = await Promise.all(
            Array.from({ length: MESSAGES }, (_, i) => publisher.publish(`matrix/${tag}`, String(i), { qos: published })),
          );
          expect(results.map((r) => r.qos)).toEqual(Array(MESSAGES).fill(published));
          await receiver.waitFor(MESSAGES);
          expect(new Set(receiver.qos.values())).toEqual(new Set([Math.min(published, subscribed)]));
          expect(receiver.duplicates()).toEqual([]);
        } finally {
          await Promise.all(clients.map((client) => client.end()));
        }
      });
    });
  });
});
