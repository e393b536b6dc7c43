// Fault injection: drop, delay, cut before, cut after; for one client or all; count, match,
// hits, remove. Then every step of every QoS flow cut on purpose, with the outcome the QoS level
// promises once the clients reconnect: QoS 1 at least once, QoS 2 exactly once.
import { describe, expect, it } from 'vitest';
import type { Broker, Fault, TapEvent } from '@courier/broker';
import type { ProtocolVersion, QoS } from '@courier/core';
import { Fixture, inboxOf, logOf, recordTap, tapFor, text } from './helpers';
import { RawSession } from './raw-session';

const fixture = new Fixture();

const publishPacket = (qos: QoS, packetId?: number) =>
  ({ type: 'publish', topic: 't', payload: text('x'), qos, dup: false, retain: false, ...(packetId ? { packetId } : {}) }) as const;

describe('each kind of fault', () => {
  it("'drop' on 'in': the packet is not processed, and the tap shows it dropped", async () => {
    const broker = await fixture.broker();
    const events = recordTap(broker);
    const fault = broker.inject({ clientId: 'pub', direction: 'in', type: 'publish', action: 'drop' });
    const raw = await fixture.rawConnected(broker, 5, 'pub');
    raw.send(publishPacket(1, 1));
    raw.send(publishPacket(1, 2));
    expect(await raw.next('puback')).toMatchObject({ packetId: 2 }); // the first was never seen
    expect(fault.hits).toBe(1);
    expect(events.filter((e) => e.packet.type === 'publish').map((e) => e.fault)).toEqual(['dropped', undefined]);
  });

  it("'drop' on 'out': the packet is not written, though the broker acted as if it were", async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version: 4, clientId: 'sub' });
    await subscriber.subscribeAsync('t', { qos: 1 });
    broker.inject({ clientId: 'pub', direction: 'out', type: 'puback', action: 'drop' });
    const dropped = tapFor(broker, (e) => e.fault === 'dropped', 'the dropped PUBACK');
    const raw = await fixture.rawConnected(broker, 4, 'pub');
    raw.send(publishPacket(1, 1));
    expect((await dropped).packet).toMatchObject({ type: 'puback', packetId: 1 });
    expect((await inboxOf(subscriber).next()).topic).toBe('t'); // processed all the same
    raw.send({ type: 'pingreq' });
    await raw.next('pingresp');
    expect(raw.received).toEqual([]);
  });

  it("'delay' on 'in': the packet and those after it wait, in order", async () => {
    const broker = await fixture.broker();
    const events = recordTap(broker);
    broker.inject({ clientId: 'pub', direction: 'in', type: 'publish', action: 'delay', delayMs: 150 });
    const raw = await fixture.rawConnected(broker, 4, 'pub');
    const sentAt = Date.now();
    raw.send(publishPacket(1, 1));
    raw.send({ type: 'pingreq' });
    expect((await raw.next()).type).toBe('puback');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(140);
    expect((await raw.next()).type).toBe('pingresp');
    expect(events.filter((e) => e.direction === 'in').map((e) => [e.packet.type, e.fault])).toEqual([
      ['connect', undefined],
      ['publish', 'delayed'],
      ['pingreq', undefined],
    ]);
  });

  it("'delay' on 'out': the packet and those after it are written later, in order", async () => {
    const broker = await fixture.broker();
    broker.inject({ clientId: 'sub', direction: 'out', type: 'suback', action: 'delay', delayMs: 150 });
    const raw = await fixture.rawConnected(broker, 4, 'sub');
    const sentAt = Date.now();
    raw.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't', qos: 0 }] });
    raw.send({ type: 'pingreq' });
    expect((await raw.next()).type).toBe('suback');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(140);
    expect((await raw.next()).type).toBe('pingresp');
  });

  it("'cut-before' on 'in': closes the connection instead of handling the packet, as a network failure (will sent)", async () => {
    const broker = await fixture.broker();
    const watcher = await fixture.client(broker, { version: 4, clientId: 'watcher' });
    await watcher.subscribeAsync('wills/#', { qos: 0 });
    broker.inject({ clientId: 'victim', direction: 'in', type: 'pingreq', action: 'cut-before' });
    const raw = await fixture.rawConnected(broker, 4, 'victim', {
      will: { topic: 'wills/victim', payload: text('cut'), qos: 0, retain: false },
    });
    raw.send({ type: 'pingreq' });
    await raw.waitClosed();
    expect(raw.received).toEqual([]);
    expect(await logOf(broker).waitFor(/^victim disconnected/)).toBe('victim disconnected (cut before PINGREQ by fault injection)');
    expect((await inboxOf(watcher).next()).topic).toBe('wills/victim');
  });

  it("'cut-after' on 'out': writes the packet, then closes", async () => {
    const broker = await fixture.broker();
    broker.inject({ direction: 'out', type: 'connack', action: 'cut-after' });
    const raw = await fixture.raw(broker, 5);
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'short', clean: true, keepAlive: 0 });
    expect((await raw.next('connack')).reasonCode).toBe(0);
    await raw.waitClosed();
  });

  it("'cut-after' on 'in': handles the packet, then closes before anything it caused is written", async () => {
    const broker = await fixture.broker();
    const subscriber = await fixture.client(broker, { version: 4, clientId: 'sub' });
    await subscriber.subscribeAsync('t', { qos: 1 });
    broker.inject({ clientId: 'pub', direction: 'in', type: 'publish', action: 'cut-after' });
    const raw = await fixture.rawConnected(broker, 4, 'pub');
    raw.send(publishPacket(1, 1));
    await raw.waitClosed();
    expect((await inboxOf(subscriber).next()).topic).toBe('t');
    expect(raw.received).toEqual([]); // no PUBACK
  });
});

describe('choosing the packets', () => {
  it('applies to the next `count` matching packets, then withdraws itself', async () => {
    const broker = await fixture.broker();
    const fault = broker.inject({ direction: 'in', type: 'pingreq', action: 'drop', count: 2 });
    const raw = await fixture.rawConnected(broker, 4, 'c');
    for (let i = 0; i < 3; i++) raw.send({ type: 'pingreq' });
    await raw.next('pingresp');
    raw.send({ type: 'pingreq' });
    await raw.next('pingresp');
    expect(fault.hits).toBe(2);
  });

  it('applies only to the client it names, and only to packets its `match` accepts', async () => {
    const broker = await fixture.broker();
    const fault = broker.inject({
      clientId: 'target',
      direction: 'in',
      type: 'publish',
      action: 'drop',
      count: 10,
      match: (packet) => packet.type === 'publish' && packet.qos === 2,
    });
    const other = await fixture.rawConnected(broker, 4, 'other');
    other.send(publishPacket(2, 1));
    await other.next('pubrec');
    const target = await fixture.rawConnected(broker, 4, 'target');
    target.send(publishPacket(2, 1));
    target.send(publishPacket(1, 2));
    expect(await target.next()).toMatchObject({ type: 'puback', packetId: 2 });
    expect(fault.hits).toBe(1);
  });

  it('remove() and clearFaults() withdraw faults', async () => {
    const broker = await fixture.broker();
    const removed = broker.inject({ direction: 'in', type: 'pingreq', action: 'drop' });
    broker.inject({ direction: 'in', type: 'subscribe', action: 'drop' });
    removed.remove();
    broker.clearFaults();
    const raw = await fixture.rawConnected(broker, 4, 'c');
    raw.send({ type: 'pingreq' });
    raw.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't', qos: 0 }] });
    await raw.next('pingresp');
    await raw.next('suback');
    expect(removed.hits).toBe(0);
  });

  it('refuses a fault it cannot apply', async () => {
    const broker = await fixture.broker();
    expect(() => broker.inject({ direction: 'in', type: 'publish', action: 'delay' })).toThrow(RangeError);
    expect(() => broker.inject({ direction: 'in', type: 'publish', action: 'drop', count: 0 })).toThrow(RangeError);
    expect(() => broker.inject({ direction: 'in', type: 'publish', action: 'explode' } as unknown as Fault)).toThrow(RangeError);
  });
});

interface Step {
  clientId: 'pub' | 'sub';
  direction: 'in' | 'out';
  type: Fault['type'];
}

const QOS1_STEPS: Step[] = [
  { clientId: 'pub', direction: 'in', type: 'publish' },
  { clientId: 'pub', direction: 'out', type: 'puback' },
  { clientId: 'sub', direction: 'out', type: 'publish' },
  { clientId: 'sub', direction: 'in', type: 'puback' },
];

const QOS2_STEPS: Step[] = [
  { clientId: 'pub', direction: 'in', type: 'publish' },
  { clientId: 'pub', direction: 'out', type: 'pubrec' },
  { clientId: 'pub', direction: 'in', type: 'pubrel' },
  { clientId: 'pub', direction: 'out', type: 'pubcomp' },
  { clientId: 'sub', direction: 'out', type: 'publish' },
  { clientId: 'sub', direction: 'in', type: 'pubrec' },
  { clientId: 'sub', direction: 'out', type: 'pubrel' },
  { clientId: 'sub', direction: 'in', type: 'pubcomp' },
];

/** Runs one message through with the connection cut at `step`, reconnects, and lets every flow finish. */
async function cutFlow(
  broker: Broker,
  version: ProtocolVersion,
  qos: 1 | 2,
  step: Step,
  action: 'cut-before' | 'cut-after',
): Promise<{ sub: RawSession; events: TapEvent[] }> {
  const sub = fixture.track(new RawSession(broker.port, version, 'sub'));
  await sub.connect();
  await sub.subscribe('flow', 2);
  const pub = fixture.track(new RawSession(broker.port, version, 'pub'));
  await pub.connect();
  const events = recordTap(broker);
  const fault = broker.inject({ ...step, action });
  const finalAck = qos === 1 ? 'puback' : 'pubcomp';
  const subscriberDone = tapFor(
    broker,
    (e) => e.clientId === 'sub' && e.direction === 'in' && e.packet.type === finalAck && e.fault === undefined,
    "the subscriber's final acknowledgement",
  );

  pub.publish('flow', 'the message', qos);
  await logOf(broker).waitFor(new RegExp(`^${step.clientId} disconnected \\(cut ${action.slice(4)} ${step.type.toUpperCase()}`));
  expect(fault.hits).toBe(1);
  await (step.clientId === 'pub' ? pub : sub).connect();
  await pub.settled();
  await subscriberDone;
  return { sub, events };
}

describe.each([4, 5] as const)('every step of every flow, cut (MQTT version %i)', (version) => {
  describe.each(['cut-before', 'cut-after'] as const)('%s', (action) => {
    it.each(QOS1_STEPS)('QoS 1 arrives at least once when $clientId $direction $type is cut', async (step) => {
      const broker = await fixture.broker();
      const { sub } = await cutFlow(broker, version, 1, step, action);
      expect(sub.delivered.length).toBeGreaterThanOrEqual(1);
      expect(sub.delivered.length).toBeLessThanOrEqual(2);
      expect(new Set(sub.delivered.map((m) => m.payload))).toEqual(new Set(['the message']));
    });

    it.each(QOS2_STEPS)('QoS 2 arrives exactly once when $clientId $direction $type is cut', async (step) => {
      const broker = await fixture.broker();
      const { sub, events } = await cutFlow(broker, version, 2, step, action);
      expect(sub.delivered.map((m) => m.payload)).toEqual(['the message']);

      const toSub = events.filter((e) => e.clientId === 'sub');
      const publishes = toSub.filter((e) => e.direction === 'out' && e.packet.type === 'publish').map((e) => e.packet);
      // [MQTT-4.4.0-1] a resend keeps the packet id and sets DUP=1 [MQTT-3.3.1-1].
      expect(new Set(publishes.map((p) => (p.type === 'publish' ? p.packetId : -1))).size).toBe(1);
      expect(publishes.map((p) => p.type === 'publish' && p.dup)).toEqual(publishes.map((_, i) => i > 0));
      // [MQTT-4.3.3-4] PUBREL only after a PUBREC has been processed.
      const firstPubrec = toSub.findIndex((e) => e.direction === 'in' && e.packet.type === 'pubrec' && e.fault === undefined);
      const firstPubrel = toSub.findIndex((e) => e.direction === 'out' && e.packet.type === 'pubrel');
      expect(firstPubrec).toBeGreaterThanOrEqual(0);
      expect(firstPubrel).toBeGreaterThan(firstPubrec);
    });
  });
});
