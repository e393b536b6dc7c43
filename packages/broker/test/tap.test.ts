// The packet tap: every packet in and out, with the client id, the direction and the packet.
import { expect, it } from 'vitest';
import type { TapEvent } from '@courier/broker';
import { Fixture, inboxOf, logOf, recordTap } from './helpers';

const fixture = new Fixture();

const flow = (events: TapEvent[]): string[] =>
  events
    .filter((e) => e.packet.type !== 'pingreq' && e.packet.type !== 'pingresp')
    .map((e) => `${e.clientId} ${e.direction} ${e.packet.type}`);

it('reports every packet of a QoS 2 exchange, in and out, in the order the broker handled them', async () => {
  const broker = await fixture.broker();
  const events = recordTap(broker);
  const subscriber = await fixture.client(broker, { version: 5, clientId: 'sub' });
  await subscriber.subscribeAsync('t', { qos: 2 });
  const publisher = await fixture.client(broker, { version: 4, clientId: 'pub' });
  await publisher.publishAsync('t', 'x', { qos: 2 });
  await inboxOf(subscriber).next();
  await subscriber.endAsync();
  await logOf(broker).waitFor(/^sub disconnected/);

  // The subscriber's PUBREC races the publisher's PUBREL; each side's own order is fixed.
  const all = flow(events);
  const of = (clientId: string): string[] => all.filter((line) => line.startsWith(`${clientId} `));
  expect(of('pub')).toEqual(['pub in connect', 'pub out connack', 'pub in publish', 'pub out pubrec', 'pub in pubrel', 'pub out pubcomp']);
  expect(of('sub')).toEqual([
    'sub in connect',
    'sub out connack',
    'sub in subscribe',
    'sub out suback',
    'sub out publish',
    'sub in pubrec',
    'sub out pubrel',
    'sub in pubcomp',
    'sub in disconnect',
  ]);
  // The message goes out to the subscriber before the publisher hears PUBREC.
  expect(all.indexOf('sub out publish')).toBeLessThan(all.indexOf('pub out pubrec'));
  const publish = events.find((e) => e.clientId === 'sub' && e.packet.type === 'publish');
  expect(publish?.packet).toMatchObject({ type: 'publish', topic: 't', qos: 2, dup: false });
  expect(events.every((e) => e.fault === undefined)).toBe(true);
});

it('stops reporting once the function it returned is called', async () => {
  const broker = await fixture.broker();
  const seen: TapEvent[] = [];
  const stop = broker.tap((event) => seen.push(event));
  const client = await fixture.client(broker, { version: 4, clientId: 'c' });
  stop();
  await client.subscribeAsync('t');
  expect(seen.map((e) => e.packet.type)).toEqual(['connect', 'connack']);
});

it('keeps the broker and the other listeners going when a listener throws', async () => {
  const broker = await fixture.broker();
  broker.tap(() => {
    throw new Error('careless listener');
  });
  const events = recordTap(broker);
  const client = await fixture.client(broker, { version: 4, clientId: 'c' });
  await client.subscribeAsync('t');
  expect(events.map((e) => e.packet.type)).toEqual(['connect', 'connack', 'subscribe', 'suback']);
  await logOf(broker).waitFor(/^tap listener threw: Error: careless listener/);
});

it('names the client of a CONNECT by the id it sent, before the broker has answered', async () => {
  const broker = await fixture.broker({ authenticate: () => false });
  const events = recordTap(broker);
  await fixture.refusedClient(broker, { version: 5, clientId: 'unwelcome' });
  expect(events.map((e) => [e.clientId, e.direction, e.packet.type])).toEqual([
    ['unwelcome', 'in', 'connect'],
    ['unwelcome', 'out', 'connack'],
  ]);
});
