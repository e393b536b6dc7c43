// What a next owner of a shared session inherits from one gone: the QoS 2 messages the tabs held,
// told apart by packet id; the filters of tabs that went with it, to unsubscribe. In Node: the owners' real clients against the reference broker over
// TCP, the tabs on an in-memory link (memory-link.ts) that outlives the owners.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { createClient, type Message } from '@courier/node';
import type { HeldFilters } from '../../src/shared/held-filters';
import { SessionOwner } from '../../src/shared/session-owner';
import { TabClient } from '../../src/shared/tab-client';
import { type MemoryLink, memoryLink, parts, tapFrom, until } from './memory-link';

let broker: Broker;

beforeAll(async () => {
  broker = await createBroker({ port: 0 });
});
afterAll(async () => {
  await broker.close();
});

/** An owner of `clientId`'s session on `link`, started. */
function owner(link: MemoryLink, clientId: string, id: string, filters?: HeldFilters): SessionOwner {
  const client = createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId, clean: false, manualAcks: true });
  const started = new SessionOwner(client, link.owner, id, parts, { filters, staleAfterMs: 200 });
  void started.start();
  return started;
}

/** One tab with manualAcks (it holds what it gets), subscribed to `filter` at QoS 2 through a first owner, and a publisher. */
async function tabWithOwner(clientId: string, filter: string) {
  const sent = tapFrom(broker, clientId);
  const link = memoryLink();
  const tab = new TabClient(link.tab('t1'), 't1', clientId, 5, true, parts);
  const got: Message[] = [];
  tab.on('message', (message) => got.push(message));
  const owner1 = owner(link, clientId, 'owner-1');
  await tab.subscribe(filter, { qos: 2 });
  const pub = createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId: `${clientId}-pub` });
  return { sent, link, tab, got, owner1, pub };
}

test('two QoS 2 messages alike in topic and payload, one had by the tab and one in flight when the owner goes, are both delivered', async () => {
  const clientId = 'alike';
  const { sent, link, tab, got, owner1, pub } = await tabWithOwner(clientId, 'alike/1');
  // The owner dies having passed on the first message only, and before the tab heard that the
  // PUBREC of it went: the broker has that one, and sends the second again to the next owner.
  let routed = 0;
  link.lose = (message) => message.type === 'acked' || (message.type === 'message' && ++routed > 1);
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

/** Filters kept as IndexedDB keeps them for the owners of one session, one after the other. */
function keptFilters(): HeldFilters {
  let kept: string[] = [];
  return { load: async () => [...kept], save: async (filters) => void (kept = [...filters]) };
}

test('a filter of a tab that went while no owner listened is unsubscribed by the next owner (once a reloaded tab could have subscribed again); the filters of live tabs stay', async () => {
  const clientId = 'stale';
  const sent = tapFrom(broker, clientId);
  const filters = keptFilters();
  const link = memoryLink();
  const tab = (id: string) => new TabClient(link.tab(id), id, clientId, 5, false, parts);
  const [t1, t2, t3] = ['t1', 't2', 't3'].map(tab);
  const owner1 = owner(link, clientId, 'owner-1', filters);
  await t1!.subscribe('stale/keep', { qos: 1 });
  await t2!.subscribe('stale/gone', { qos: 1 });
  await t3!.subscribe('stale/back', { qos: 1 });
  await owner1.close();
  await t2!.end({ force: true });
  await t3!.end({ force: true });
  const owner2 = owner(link, clientId, 'owner-2', filters);
  // t3 reloaded: a new tab, which subscribes again once loaded, after the next owner has started.
  const reloaded = tab('t3-reloaded');
  await reloaded.subscribe('stale/back', { qos: 1 });
  await until(() => sent.some((packet) => packet.type === 'unsubscribe'), 'the UNSUBSCRIBE');
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(sent.filter((packet) => packet.type === 'unsubscribe').map((packet) => packet.topicFilters)).toEqual([['stale/gone']]);
  expect((await filters.load()).sort()).toEqual(['stale/back', 'stale/keep']);
  await t1!.end({ force: true });
  await reloaded.end({ force: true });
  await owner2.close();
});

test('a QoS 2 message the tab had, still unacknowledged through two owner changes, is not delivered again by the third owner', async () => {
  const clientId = 'twice-over';
  const { sent, link, tab, got, owner1, pub } = await tabWithOwner(clientId, 'twice/1');
  await pub.publish('twice/1', 'once', { qos: 2 });
  await until(() => got.length === 1, 'the message in the tab');
  await owner1.close();
  // The second owner dies before its resend of the message reaches the tab.
  let lost = 0;
  link.lose = (message) => message.type === 'message' && lost++ >= 0;
  const owner2 = owner(link, clientId, 'owner-2');
  await until(() => lost === 1, 'the resend at the second owner');
  await owner2.close();
  link.lose = () => false;
  const owner3 = owner(link, clientId, 'owner-3');
  // The tab takes the third owner's resend for the message it has: PUBREC, no second delivery.
  await until(() => got.length > 1 || sent.some((packet) => packet.type === 'pubrec'), 'the PUBREC of the resend, or a second delivery');
  expect(got).toHaveLength(1);
  await pub.end();
  await tab.end({ force: true });
  await owner3.close();
});
