// The owner of a shared session and the tabs' clients, in Node: the owner's real client talks to
// the reference broker over TCP; owner and tabs talk through an in-memory link (memory-link.ts).
// What the broker sees is read from its packet tap.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { createClient, MemoryOutbox, type Message, type MqttClient } from '@courier/node';
import { trackingOutbox } from '../../src/shared/owner-client';
import { SessionOwner } from '../../src/shared/session-owner';
import type { ToOwner, ToTab } from '../../src/shared/share-protocol';
import { TabClient } from '../../src/shared/tab-client';
import { memoryLink, parts, type Tapped, tapFrom as tapOf, until } from './memory-link';

let broker: Broker;
const tapFrom = (clientId: string) => tapOf(broker, clientId);

beforeAll(async () => {
  broker = await createBroker({ port: 0 });
});
afterAll(async () => {
  await broker.close();
});

async function shared(clientId: string, tabIds: string[], manualAcks = false) {
  const link = memoryLink();
  const tabs = tabIds.map((id) => new TabClient(link.tab(id), id, clientId, 5, manualAcks, parts));
  const client = createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId, clean: false, manualAcks: true });
  const owner = new SessionOwner(client, link.owner, 'owner-1', parts);
  void owner.start();
  await Promise.all(tabs.map((tab) => tab.whenConnected()));
  return { tabs, owner, link, client };
}

async function publisher(): Promise<MqttClient> {
  const client = createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId: `pub-${Math.random()}` });
  await client.whenConnected();
  return client;
}

test('the broker holds the union of the tabs\' filters: SUBSCRIBE for the first tab, UNSUBSCRIBE after the last', async () => {
  const sent = tapFrom('union');
  const { tabs, owner } = await shared('union', ['t1', 't2']);
  await tabs[0]!.subscribe('u/#', { qos: 1 });
  await tabs[1]!.subscribe('u/#', { qos: 1 });
  expect(sent.filter((packet) => packet.type === 'subscribe')).toHaveLength(1);
  await tabs[0]!.unsubscribe('u/#');
  expect(sent.filter((packet) => packet.type === 'unsubscribe')).toHaveLength(0);
  await tabs[1]!.unsubscribe('u/#');
  expect(sent.filter((packet) => packet.type === 'unsubscribe')).toHaveLength(1);
  await owner.close();
});

test('each tab gets the messages of its own filters only', async () => {
  const { tabs, owner } = await shared('routing', ['t1', 't2']);
  const got: string[][] = [[], []];
  tabs.forEach((tab, i) => tab.on('message', (message) => got[i]!.push(message.topic)));
  await tabs[0]!.subscribe('r/a', { qos: 1 });
  await tabs[1]!.subscribe('r/b', { qos: 1 });
  const pub = await publisher();
  await pub.publish('r/a', 'x', { qos: 1 });
  await pub.publish('r/b', 'y', { qos: 1 });
  await until(() => got[0]!.length + got[1]!.length === 2, 'both messages');
  expect(got).toEqual([['r/a'], ['r/b']]);
  await pub.end();
  await owner.close();
});

test('each tab receives at the QoS of its own subscription: the broker holds the filter at the highest one', async () => {
  const { tabs, owner } = await shared('downgrade', ['t1', 't2']);
  const got: number[][] = [[], []];
  tabs.forEach((tab, i) => tab.on('message', (message) => got[i]!.push(message.qos)));
  await tabs[0]!.subscribe('d/1', { qos: 0 });
  await tabs[1]!.subscribe('d/1', { qos: 2 });
  const pub = await publisher();
  await pub.publish('d/1', 'x', { qos: 2 });
  await until(() => got[0]!.length === 1 && got[1]!.length === 1, 'the message in both tabs');
  expect(got).toEqual([[0], [2]]);
  await pub.end();
  await owner.close();
});

test('with manualAcks, the PUBACK goes once every tab that got the message has acknowledged it', async () => {
  const sent = tapFrom('acks');
  const { tabs, owner } = await shared('acks', ['t1', 't2'], true);
  const held: Message[][] = [[], []];
  tabs.forEach((tab, i) => tab.on('message', (message) => held[i]!.push(message)));
  for (const tab of tabs) await tab.subscribe('k/1', { qos: 1 });
  const pub = await publisher();
  await pub.publish('k/1', 'm', { qos: 1 });
  await until(() => held[0]!.length === 1 && held[1]!.length === 1, 'the message in both tabs');
  // ack() settles once the ack has gone to the broker: not before the other tab's.
  const first = held[0]![0]!.ack();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(sent.filter((packet) => packet.type === 'puback')).toHaveLength(0);
  await Promise.all([first, held[1]![0]!.ack()]);
  await until(() => sent.some((packet) => packet.type === 'puback'), 'the PUBACK');
  await pub.end();
  await owner.close();
});

test('a tab that goes away no longer holds back the ack of a message it had', async () => {
  const sent = tapFrom('gone');
  const { tabs, owner } = await shared('gone', ['t1', 't2'], true);
  const held: Message[] = [];
  tabs[0]!.on('message', (message) => held.push(message));
  tabs[1]!.on('message', () => undefined);
  for (const tab of tabs) await tab.subscribe('g/1', { qos: 2 });
  const pub = await publisher();
  await pub.publish('g/1', 'm', { qos: 2 });
  await until(() => held.length === 1, 'the message');
  const acked = held[0]!.ack();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(sent.filter((packet) => packet.type === 'pubrec')).toHaveLength(0);
  await tabs[1]!.end({ force: true });
  await acked;
  await until(() => sent.some((packet) => packet.type === 'pubrec'), 'the PUBREC');
  await pub.end();
  await owner.close();
});

test('a call sent twice to one owner (a tab sends its calls again to an owner it does not know yet) is carried out once', async () => {
  const sent = tapFrom('once');
  const { owner, link } = await shared('once', ['t1']);
  const call: ToOwner = { type: 'call', tab: 't1', req: 99, call: { op: 'publish', topic: 'o/1', payload: new Uint8Array([1]), options: { qos: 1 } } };
  link.raw(structuredClone(call));
  link.raw(structuredClone(call));
  await until(() => sent.some((packet) => packet.type === 'publish'), 'the PUBLISH');
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(sent.filter((packet) => packet.type === 'publish')).toHaveLength(1);
  await owner.close();
});

test('a publish written by an owner that died before the tab heard its id is awaited by the next owner, not published again', async () => {
  const clientId = 'carried';
  const sent = tapFrom(clientId);
  const store = new MemoryOutbox();
  const start = (link: ReturnType<typeof memoryLink>, id: string) => {
    let owner: SessionOwner | undefined;
    const outbox = trackingOutbox(store, () => owner?.tracker);
    owner = new SessionOwner(createClient(`mqtt://127.0.0.1:${broker.port}`, { clientId, clean: false, manualAcks: true, outbox }), link.owner, id, parts);
    void owner.start();
    return owner;
  };
  // The broker loses the first PUBLISH: the message stays owed in the outbox.
  const dropped = broker.inject({ clientId, direction: 'in', type: 'publish', action: 'drop', count: 1 });
  const first = memoryLink();
  const owner1 = start(first, 'owner-1');
  first.tab('t1').onMessage(() => undefined);
  first.raw({ type: 'hello', tab: 't1', subscriptions: [] });
  const call: ToOwner = { type: 'call', tab: 't1', req: 7, call: { op: 'publish', topic: 'c/1', payload: new Uint8Array([7]), options: { qos: 2 } } };
  first.raw(structuredClone(call));
  await until(() => sent.some((packet) => packet.type === 'publish'), 'the first PUBLISH');
  await owner1.close();
  dropped.remove();
  // The tab never heard "durable": it sends the call again, without an id, to the next owner.
  const second = memoryLink();
  const settled: ToTab[] = [];
  second.tab('t1').onMessage((message) => settled.push(message));
  const owner2 = start(second, 'owner-2');
  second.raw({ type: 'hello', tab: 't1', subscriptions: [] });
  second.raw(structuredClone(call));
  await until(() => settled.some((message) => message.type === 'settle' && message.req === 7), 'the settle');
  const publishes = sent.filter((packet) => packet.type === 'publish') as Tapped[];
  expect(publishes.map((packet) => packet.dup)).toEqual([false, true]);
  expect(new Set(publishes.map((packet) => packet.packetId)).size).toBe(1);
  await owner2.close();
});

test('a publish aborted in a tab is called back by the owner while it has not gone out: AbortError (sent: false), and the outbox no longer owes it', async () => {
  const link = memoryLink();
  const tab = new TabClient(link.tab('t1'), 't1', 'abort', 5, false, parts);
  // No broker at this port: the message waits in the owner's outbox, unsent.
  const client = createClient('mqtt://127.0.0.1:1', { clientId: 'abort', clean: false, manualAcks: true, reconnect: { initialDelayMs: 50, maxDelayMs: 50 } });
  const owner = new SessionOwner(client, link.owner, 'owner-1', parts);
  void owner.start();
  const stop = new AbortController();
  const published = tab.publish('a/1', 'x', { qos: 1, signal: stop.signal });
  while ((await tab.pending()).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  stop.abort('changed my mind');
  await expect(published).rejects.toMatchObject({ code: 'ERR_ABORTED', sent: false, cause: 'changed my mind' });
  expect(await tab.pending()).toEqual([]);
  await tab.end({ force: true });
  await owner.close();
});

test('a publish aborted in a tab once on the wire rejects (AbortError, sent: true), and the outbox still owes it', async () => {
  const clientId = 'abort-sent';
  const sent = tapFrom(clientId);
  const dropped = broker.inject({ clientId, direction: 'in', type: 'publish', action: 'drop', count: 1 });
  const { tabs, owner } = await shared(clientId, ['t1']);
  const stop = new AbortController();
  const published = tabs[0]!.publish('a/2', 'x', { qos: 1, signal: stop.signal });
  await until(() => sent.some((packet) => packet.type === 'publish'), 'the PUBLISH');
  stop.abort();
  await expect(published).rejects.toMatchObject({ code: 'ERR_ABORTED', sent: true });
  expect(await tabs[0]!.pending()).toHaveLength(1);
  dropped.remove();
  await owner.close();
});
