// What a next owner of a shared session inherits from one gone: the QoS 2 messages the tabs held,
// told apart by packet id. In Node: the owners' real clients against the reference broker over
// TCP, the tabs on an in-memory link (memory-link.ts) that outlives the owners.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { createClient, type Message } from '@courier/node';
import { SessionOwner } from '../../src/shared/session-owner';
import { TabClient } from '../../src/shared/tab-client';
import { type MemoryLink, memoryLink, tapFrom, until } from './memory-link';

let broker: Broker;

beforeAll(async () => {
  broker = await createBroker({ port: 0 });
});
afterAll(async () => {
  await broker.close();
});

/** An owner of `clientId`'s session on `link`, started. */
function owner(link: MemoryLink, clientId: string, id: string): SessionOwner {
  const client = createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId, clean: false, manualAcks: true });
  const started = new SessionOwner(client, link.owner, id);
  void started.start();
  return started;
}

test('two QoS 2 messages alike in topic and payload, one had by the tab and one in flight when the owner goes, are both delivered', async () => {
  const clientId = 'alike';
  const sent = tapFrom(broker, clientId);
  const link = memoryLink();
  const tab = new TabClient(link.tab('t1'), 't1', clientId, 5, true);
  const got: Message[] = [];
  tab.on('message', (message) => got.push(message));
  const owner1 = owner(link, clientId, 'owner-1');
  await tab.subscribe('alike/1', { qos: 2 });
  // The owner dies having passed on the first message only, and before the tab heard that the
  // PUBREC of it went: the broker has that one, and sends the second again to the next owner.
  let routed = 0;
  link.lose = (message) => message.type === 'acked' || (message.type === 'message' && ++routed > 1);
  const pub = createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'alike-pub' });
  await pub.publish('alike/1', 'same', { qos: 2 });
  await pub.publish('alike/1', 'same', { qos: 2 });
  await until(() => got.length === 1 && routed === 2, 'the first message in the tab, the second at the owner');
  void got[0]!.ack();
  await until(() => sent.some((packet) => packet.type === 'pubrec'), 'the PUBREC of the first');
  await owner1.close();
  link.lose = () => false;
  const owner2 = owner(link, clientId, 'owner-2');
  await until(() => got.length === 2, 'the second message in the tab');
  expect(got.map((message) => [message.topic, new TextDecoder().decode(message.payload)])).toEqual([
    ['alike/1', 'same'],
    ['alike/1', 'same'],
  ]);
  expect(got[1]!.dup).toBe(true);
  await pub.end();
  await tab.end({ force: true });
  await owner2.close();
});
