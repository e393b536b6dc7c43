import { describe, expect, test } from 'vitest';
import type { PublishPacket } from '@courier/core';
import { publishes, SessionHarness, trace } from './session-harness';

describe('publishing QoS 0', () => {
  test('goes out at once when connected and settles once its bytes are written, never with DUP [MQTT-3.3.1-2]', () => {
    const h = new SessionHarness();
    h.connect();
    h.take();
    const actions = h.publish(1, 0);
    expect(actions).toEqual([
      expect.objectContaining({ type: 'send', settleWhenWritten: { type: 'settle', operation: 'publish', id: 1, result: { id: 1, qos: 0 } } }),
    ]);
    expect(publishes(h.sent())[0]).toMatchObject({ qos: 0, dup: false });
    expect(h.settlements()).toEqual([{ type: 'settle', operation: 'publish', id: 1, result: { id: 1, qos: 0 } }]);
    expect(h.outbox.size).toBe(0); // QoS 0 is never written to the outbox
  });

  test('waits in a bounded queue while offline, and the bound refuses rather than drops', () => {
    const h = new SessionHarness({ maxQueuedQoS0: 2 });
    h.publish(1, 0);
    h.publish(2, 0);
    h.publish(3, 0);
    expect(h.settlements()).toEqual([expect.objectContaining({ id: 3, error: expect.objectContaining({ code: 'ERR_QUEUE_FULL' }) })]);
    h.take();
    h.connect();
    expect(trace(h.sent())).toEqual(['CONNECT', 'PUBLISH q0', 'PUBLISH q0']);
    expect(h.settlements().map((s) => s.id)).toEqual([3, 1, 2]);
  });

  test('waits while the transport is congested and goes when it drains', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'transportBlocked' });
    h.take();
    h.publish(1, 0);
    expect(h.sent()).toEqual([]);
    h.handle({ type: 'transportDrained' });
    expect(trace(h.sent())).toEqual(['PUBLISH q0']);
  });
});

describe('publishing QoS 1 and 2', () => {
  test('writes the record before the first byte of its PUBLISH (write-ahead)', () => {
    const h = new SessionHarness();
    h.autoStore = false;
    h.connect();
    h.take();
    const actions = h.publish(1, 1);
    expect(actions).toEqual([
      {
        type: 'persist',
        awaited: true,
        change: { op: 'put', record: { id: 1, topic: 'sensors/1', payload: Uint8Array.of(1), qos: 1, retain: false, state: 'sent', packetId: 1 } },
      },
    ]);
    expect(h.store().map((a) => a.type)).toEqual(['send']);
  });

  test('keys records by the sequence id, not the packet id', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(41, 1);
    h.publish(42, 2);
    expect([...h.outbox.keys()]).toEqual([41, 42]);
    expect([...h.outbox.values()].map((r) => r.packetId)).toEqual([1, 2]);
  });

  test('QoS 1: PUBLISH, then PUBACK forgets the record, frees the id and settles', () => {
    const h = new SessionHarness();
    h.connect();
    h.take();
    h.publish(1, 1);
    expect(trace(h.sent())).toEqual(['PUBLISH q1 1']);
    const actions = h.receive({ type: 'puback', packetId: 1, reasonCode: 0 });
    expect(actions.map((a) => a.type)).toEqual(['forget', 'settle']);
    expect(h.settlements()[0]).toMatchObject({ id: 1, result: { id: 1, qos: 1, packetId: 1, reasonCode: 0 } });
    expect(h.outbox.size).toBe(0);
    expect(h.session.ids.has(1)).toBe(false);
  });

  test('QoS 2: PUBREC moves the record to released in one update and sends PUBREL; PUBCOMP completes it', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 2);
    h.take();
    const onPubrec = h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    expect(onPubrec.filter((a) => a.type === 'persist')).toEqual([
      { type: 'persist', awaited: true, change: { op: 'update', id: 1, state: 'released', packetId: 1 } },
    ]);
    expect(trace(h.sent())).toEqual(['PUBREL 1']);
    expect(h.settlements()).toEqual([]);
    h.receive({ type: 'pubcomp', packetId: 1, reasonCode: 0 });
    expect(h.settlements()[0]).toMatchObject({ id: 1, result: { qos: 2, packetId: 1 } });
    expect(h.outbox.size).toBe(0);
  });

  test('QoS 2: PUBREL waits until "released" is durable, else a crash would restore it as unacknowledged and publish it twice', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 2);
    h.publish(2, 2);
    h.autoStore = false;
    h.take();
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 }); // a repeat does not jump the wait
    h.receive({ type: 'pubrec', packetId: 2, reasonCode: 0 });
    expect(h.sent()).toEqual([]);
    h.store();
    expect(trace(h.sent())).toEqual(['PUBREL 1', 'PUBREL 2']); // in PUBREC order [MQTT-4.6.0-4]
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBREL 1']); // once durable, a repeated PUBREC is answered
  });

  test('[MQTT-4.6.0-4] PUBRELs go in the order their PUBRECs came, not in publish order', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 2);
    h.publish(2, 2);
    h.publish(3, 2);
    h.take();
    h.autoStore = false; // the PUBRELs wait for their "released" writes, then go together
    h.receive({ type: 'pubrec', packetId: 3, reasonCode: 0 });
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    h.receive({ type: 'pubrec', packetId: 2, reasonCode: 0 });
    expect(h.sent()).toEqual([]);
    h.store();
    expect(trace(h.sent())).toEqual(['PUBREL 3', 'PUBREL 1', 'PUBREL 2']);
  });

  test('[MQTT-4.6.0-4] on reconnect, PUBRELs go again in the order their PUBRECs came', () => {
    const h = new SessionHarness({ clean: false });
    h.connect();
    h.publish(1, 2);
    h.publish(2, 2);
    h.publish(3, 2);
    h.receive({ type: 'pubrec', packetId: 3, reasonCode: 0 });
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    h.receive({ type: 'pubrec', packetId: 2, reasonCode: 0 });
    h.disconnect();
    h.take();
    h.connect({ sessionPresent: true });
    expect(trace(h.sent())).toEqual(['CONNECT', 'PUBREL 3', 'PUBREL 1', 'PUBREL 2']);
  });

  test('QoS 2: a PUBREL still waiting for its write is sent on the next connection once durable, after those that were not waiting', () => {
    const h = new SessionHarness({ clean: false });
    h.connect();
    h.publish(1, 2);
    h.publish(2, 2);
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    h.autoStore = false;
    h.receive({ type: 'pubrec', packetId: 2, reasonCode: 0 });
    h.disconnect();
    h.take();
    h.connect({ sessionPresent: true });
    expect(trace(h.sent())).toEqual(['CONNECT', 'PUBREL 1']);
    h.store();
    expect(trace(h.sent())).toEqual(['PUBREL 2']);
  });

  test('QoS 2: when "released" cannot be written, the message is still released and completed, with a warning, not refused', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 2);
    h.autoStore = false;
    h.take();
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    h.handle({ type: 'storeFailed', ids: [1], incoming: [], error: Object.assign(new Error('quota exceeded'), { code: 'ERR_OUTBOX' }) as never });
    expect(trace(h.sent())).toEqual(['PUBREL 1']);
    expect(h.events().filter((e) => e.name === 'warning')).toHaveLength(1);
    h.receive({ type: 'pubcomp', packetId: 1, reasonCode: 0 });
    expect(h.settlements()).toEqual([expect.objectContaining({ id: 1, result: expect.objectContaining({ qos: 2 }) })]);
  });

  test('takes a packet id when sent, not when queued: offline messages are written without one', () => {
    const h = new SessionHarness();
    h.publish(1, 1);
    expect(h.outbox.get(1)).toMatchObject({ state: 'queued' });
    expect(h.outbox.get(1)?.packetId).toBeUndefined();
    h.take();
    h.connect();
    expect(h.take().filter((a) => a.type === 'persist')).toEqual([
      { type: 'persist', awaited: true, change: { op: 'update', id: 1, state: 'sent', packetId: 1 } },
    ]);
    expect(trace(publishes(h.sent()))).toEqual([]);
    expect(h.outbox.get(1)).toMatchObject({ state: 'sent', packetId: 1 });
  });

  test('QoS 2 waits until its packet id is durable before sending, so a restart resends under the same id', () => {
    const h = new SessionHarness();
    h.publish(1, 2);
    h.autoStore = false;
    h.take();
    h.connect();
    expect(publishes(h.sent())).toEqual([]);
    h.store();
    expect(trace(h.sent())).toEqual(['PUBLISH q2 1']);
  });

  test('a message whose write is slow holds back the ones after it: order is kept', () => {
    const h = new SessionHarness();
    h.connect();
    h.autoStore = false;
    h.publish(1, 1);
    h.autoStore = true;
    h.publish(2, 1);
    expect(publishes(h.sent())).toEqual([]);
    h.autoStore = false;
    h.store();
    expect(trace(h.sent())).toEqual(['PUBLISH q1 1', 'PUBLISH q1 2']);
  });

  test('a write the outbox refuses rejects the publish with OutboxError and sends nothing', () => {
    const h = new SessionHarness();
    h.autoStore = false;
    h.connect();
    h.publish(1, 1);
    h.take();
    h.handle({ type: 'storeFailed', ids: [1], incoming: [], error: Object.assign(new Error('quota exceeded'), { code: 'X' }) as never });
    expect(publishes(h.sent())).toEqual([]);
    expect(h.settlements()[0]).toMatchObject({ id: 1, error: { code: 'ERR_OUTBOX' } });
    expect(h.session.ids.has(1)).toBe(false);
  });
});

describe('the in-flight window', () => {
  test('sends at most maxInflight unacknowledged, the rest in order as acks come [MQTT-3.3.4-7]', () => {
    const h = new SessionHarness({ maxInflight: 2 });
    h.connect();
    h.take();
    for (let id = 1; id <= 5; id++) h.publish(id, 1);
    expect(trace(h.sent())).toEqual(['PUBLISH q1 1', 'PUBLISH q1 2']);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 3']);
    h.receive({ type: 'puback', packetId: 3, reasonCode: 0 });
    h.receive({ type: 'puback', packetId: 2, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 4', 'PUBLISH q1 5']);
  });

  test('what waits behind a full window goes a quarter of the window at a time, or all of it when it fits', () => {
    const h = new SessionHarness({ maxInflight: 8 });
    h.connect();
    h.take();
    for (let id = 1; id <= 13; id++) h.publish(id, 1);
    expect(publishes(h.sent())).toHaveLength(8);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0 });
    expect(h.sent()).toEqual([]); // one place free: less than a quarter of 8
    h.receive({ type: 'puback', packetId: 2, reasonCode: 0 });
    // Two places: messages 9 and 10 go together (packet ids go on from 8).
    expect(trace(h.sent())).toEqual(['PUBLISH q1 9', 'PUBLISH q1 10']);
    for (const packetId of [3, 4]) h.receive({ type: 'puback', packetId, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 11', 'PUBLISH q1 12']);
    h.receive({ type: 'puback', packetId: 5, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 13']); // the one left waiting fits: it goes at once
    h.publish(14, 1);
    expect(h.sent()).toEqual([]); // the window is full again
    h.receive({ type: 'puback', packetId: 6, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 14']);
  });

  test("is capped by the broker's Receive Maximum", () => {
    const h = new SessionHarness({ maxInflight: 100 });
    h.connect({ properties: { receiveMaximum: 3 } });
    h.take();
    for (let id = 1; id <= 10; id++) h.publish(id, 2);
    expect(publishes(h.sent())).toHaveLength(3);
  });

  test('a QoS 2 message holds its place until PUBCOMP, not PUBREC (4.9)', () => {
    const h = new SessionHarness({ maxInflight: 1 });
    h.connect();
    h.publish(1, 2);
    h.publish(2, 2);
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    h.take();
    h.advance(1);
    expect(publishes(h.sent())).toEqual([]);
    h.receive({ type: 'pubcomp', packetId: 1, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBLISH q2 2']);
  });

  test('[MQTT-3.3.4-8] acks and PUBREL are never held back by a full window', () => {
    const h = new SessionHarness({ maxInflight: 1 });
    h.connect();
    h.publish(1, 2);
    h.publish(2, 1);
    h.take();
    h.receive({ type: 'publish', topic: 'in', payload: new Uint8Array(0), qos: 1, dup: false, retain: false, packetId: 9 });
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBACK 9', 'PUBREL 1']);
  });
});

describe('packet ids', () => {
  test('with all 65,535 in flight, the next message waits (back-pressure) and takes the first id freed', () => {
    const h = new SessionHarness({ maxInflight: 65_535 });
    h.connect();
    h.take();
    for (let id = 1; id <= 65_536; id++) h.publish(id, 1);
    const sent = publishes(h.sent());
    expect(sent).toHaveLength(65_535);
    expect(new Set(sent.map((p) => p.packetId)).size).toBe(65_535);
    expect(h.settlements()).toEqual([]); // nothing refused
    h.receive({ type: 'puback', packetId: 777, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 777']);
    expect(h.outbox.get(65_536)).toMatchObject({ packetId: 777 });
  });

  test('wrap around after 65,535 and never hand out an id still in flight', () => {
    const h = new SessionHarness({ maxInflight: 65_535 });
    h.connect();
    h.publish(1, 2); // holds packet id 1 throughout
    for (let id = 2; id <= 65_536; id++) {
      h.publish(id, 1);
      const [packet] = publishes(h.sent()).slice(-1) as PublishPacket[];
      h.receive({ type: 'puback', packetId: packet!.packetId!, reasonCode: 0 });
    }
    h.take();
    h.publish(65_537, 1);
    const [next] = publishes(h.sent());
    expect(next?.packetId).toBe(3); // 1 is in flight; 2 was handed out last before the wrap
  });

  test('ids restored from the outbox are reserved before anything new is sent', () => {
    const h = new SessionHarness();
    h.handle({
      type: 'restore',
      snapshot: {
        outgoing: [{ id: 5, topic: 't', payload: new Uint8Array(0), qos: 1, retain: false, state: 'sent', packetId: 1 }],
        incoming: [],
        nextId: 6,
      },
    });
    h.connect({ sessionPresent: true });
    h.take();
    h.publish(6, 1);
    expect(trace(h.sent())).toEqual(['PUBLISH q1 2']);
  });
});

describe('resending', () => {
  test('3.1.1 resends an unacknowledged PUBLISH in-session after ackTimeoutMs, DUP=1 and the same id [MQTT-3.3.1-1]', () => {
    const h = new SessionHarness({ protocolVersion: 4, ackTimeoutMs: 1_000 });
    h.connect();
    h.publish(1, 1);
    h.take();
    h.advance(999);
    expect(h.sent()).toEqual([]);
    h.advance(1);
    expect(trace(h.sent())).toEqual(['PUBLISH q1 1 dup']);
    h.advance(1_000);
    expect(trace(h.sent())).toEqual(['PUBLISH q1 1 dup']);
  });

  test('3.1.1 resends an unacknowledged PUBREL in-session after ackTimeoutMs', () => {
    const h = new SessionHarness({ protocolVersion: 4, ackTimeoutMs: 1_000 });
    h.connect();
    h.publish(1, 2);
    h.receive({ type: 'pubrec', packetId: 1 });
    h.take();
    h.advance(1_000);
    expect(trace(h.sent())).toEqual(['PUBREL 1']);
  });

  test('with thousands in flight, acked out of order, the next deadline is always the oldest unacknowledged send', () => {
    const h = new SessionHarness({ protocolVersion: 4, ackTimeoutMs: 10_000, maxInflight: 65_535 });
    h.connect();
    const sentAt: number[] = [];
    for (let packetId = 1; packetId <= 5_000; packetId++) {
      sentAt[packetId] = h.now;
      h.publish(packetId, 1); // packet ids follow the publish order here
      h.advance(1);
    }
    h.take();
    // Every message but each 7th is acked, evens first, then odds: stale entries pile up at the
    // front and behind it, over the 1,024 after which the queue compacts itself.
    const acked: boolean[] = [];
    let oldest = 1;
    for (const parity of [0, 1]) {
      for (let packetId = 1; packetId <= 5_000; packetId++) {
        if (packetId % 2 !== parity || packetId % 7 === 0) continue;
        h.receive({ type: 'puback', packetId, reasonCode: 0 });
        acked[packetId] = true;
        while (acked[oldest] === true) oldest++;
        expect(h.session.nextDeadline()).toBe(sentAt[oldest]! + 10_000);
      }
    }
    expect(oldest).toBe(7);
    h.advance(h.session.nextDeadline()! - h.now);
    expect(trace(h.sent())).toEqual(['PUBLISH q1 7 dup']);
    expect(h.session.nextDeadline()).toBe(sentAt[14]! + 10_000);
    h.receive({ type: 'puback', packetId: 14, reasonCode: 0 });
    expect(h.session.nextDeadline()).toBe(sentAt[21]! + 10_000);
    // In order now: the front of the queue moves over thousands of entries (compacting on the way).
    for (let packetId = 21; packetId < 4_998; packetId += 7) {
      h.receive({ type: 'puback', packetId, reasonCode: 0 });
      expect(h.session.nextDeadline()).toBe(sentAt[packetId + 7]! + 10_000);
    }
    h.receive({ type: 'puback', packetId: 4_998, reasonCode: 0 });
    expect(h.session.nextDeadline()).toBe(sentAt[7]! + 20_000); // 7, resent, is all that is left
  });

  test('[MQTT-4.6.0-1] on reconnect, PUBLISHes go again in the order first sent, even after an in-session resend reordered them', () => {
    const h = new SessionHarness({ protocolVersion: 4, ackTimeoutMs: 1_000 });
    h.connect();
    h.publish(1, 1);
    h.advance(500);
    h.publish(2, 2);
    h.advance(500); // message 1's ack timeout: resent now, so it was last on the wire
    expect(trace(h.sent()).slice(-1)).toEqual(['PUBLISH q1 1 dup']);
    h.disconnect();
    h.connect({ sessionPresent: true });
    expect(trace(h.sent())).toEqual(['CONNECT', 'PUBLISH q1 1 dup', 'PUBLISH q2 2 dup']);
  });

  test('[MQTT-4.6.0-1] after a restart, PUBLISHes go again in the order first sent, not in packet id order', () => {
    const record = (id: number, packetId: number) => ({ id, topic: 't', payload: new Uint8Array(0), qos: 1 as const, retain: false, state: 'sent' as const, packetId });
    const h = new SessionHarness();
    h.handle({ type: 'restore', snapshot: { outgoing: [record(1, 65_535), record(2, 1)], incoming: [], nextId: 3 } });
    h.connect({ sessionPresent: true });
    expect(trace(h.sent())).toEqual(['CONNECT', 'PUBLISH q1 65535 dup', 'PUBLISH q1 1 dup']);
  });

  test('[MQTT-4.4.0-1] 5.0 never resends in-session: an ack timeout closes the connection instead', () => {
    const h = new SessionHarness({ protocolVersion: 5, ackTimeoutMs: 1_000 });
    h.connect();
    h.publish(1, 1);
    h.take();
    const actions = h.advance(1_000);
    expect(trace(h.sent())).toEqual([]);
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_CONNECTION' })]);
  });

  test('[MQTT-4.4.0-1] with the session present, every unacknowledged PUBLISH (DUP=1, same id) and PUBREL goes again, in original order, before new messages', () => {
    const h = new SessionHarness({ maxInflight: 3 });
    h.connect();
    h.publish(1, 1);
    h.publish(2, 2);
    h.publish(3, 2);
    h.receive({ type: 'pubrec', packetId: 2, reasonCode: 0 });
    h.publish(4, 1);
    h.disconnect();
    h.take();
    h.connect({ sessionPresent: true });
    expect(trace(h.sent())).toEqual(['CONNECT', 'PUBREL 2', 'PUBLISH q1 1 dup', 'PUBLISH q2 3 dup']);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 4']);
  });

  test('without the session we asked for: owed messages go again as new (new id, DUP=0), released QoS 2 ones settle as delivered, and it is reported', () => {
    const h = new SessionHarness({ clean: false });
    h.connect();
    h.publish(1, 2);
    h.publish(2, 2);
    h.publish(3, 1);
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 }); // 1 is released: the broker has it
    h.disconnect();
    h.take();
    const actions = h.connect({ sessionPresent: false });
    expect(trace(h.sent())).toEqual(['CONNECT', 'PUBLISH q2 4', 'PUBLISH q1 5']);
    expect(h.settlements(actions)).toEqual([expect.objectContaining({ id: 1, result: expect.objectContaining({ qos: 2 }) })]);
    expect(h.events(actions)).toContainEqual({ name: 'sessionLost', republished: 2, settledAsDelivered: 1, unacknowledgedReceived: 0 });
    expect([...h.outbox.keys()]).toEqual([2, 3]);
  });

  test('a clean session republishes what is owed too, without a sessionLost report', () => {
    const h = new SessionHarness({ clean: true });
    h.connect();
    h.publish(1, 1);
    h.disconnect();
    h.take();
    const actions = h.connect();
    expect(trace(h.sent())).toEqual(['CONNECT', 'PUBLISH q1 2']);
    expect(h.events(actions).map((e) => e.name)).toEqual(['connected']);
  });
});

describe('5.0 reason codes', () => {
  test('[MQTT-4.4.0-2] a PUBACK of 0x80 or more rejects with the code and the ack, and the message is never resent', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 1);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0x97, properties: { reasonString: 'quota' } });
    expect(h.settlements()[0]).toMatchObject({
      id: 1,
      error: { code: 'ERR_PUBLISH_REJECTED', reasonCode: 0x97, ack: { type: 'puback', packetId: 1 } },
    });
    expect(h.outbox.size).toBe(0);
    h.disconnect();
    h.take();
    h.connect({ sessionPresent: true });
    expect(trace(h.sent())).toEqual(['CONNECT']);
  });

  test('a PUBREC of 0x80 or more rejects the QoS 2 message and sends no PUBREL', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 2);
    h.take();
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0x87 });
    expect(h.sent()).toEqual([]);
    expect(h.settlements()[0]).toMatchObject({ error: { reasonCode: 0x87 } });
  });

  test('PUBCOMP 0x92 (the broker completed the flow before our resent PUBREL) settles as delivered', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 2);
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    h.receive({ type: 'pubcomp', packetId: 1, reasonCode: 0x92 });
    expect(h.settlements()[0]).toMatchObject({ id: 1, result: { qos: 2, packetId: 1, reasonCode: 0x92 } });
  });

  test('0x10 (no matching subscribers) is a success', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 1);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0x10 });
    expect(h.settlements()[0]).toMatchObject({ result: { reasonCode: 0x10 } });
  });
});

describe('acks that match nothing are decisions, not crashes', () => {
  test('an unexpected PUBACK is reported and ignored', () => {
    const h = new SessionHarness();
    h.connect();
    h.take();
    const actions = h.receive({ type: 'puback', packetId: 99, reasonCode: 0 });
    expect(h.events(actions)).toEqual([{ name: 'warning', error: expect.objectContaining({ code: 'ERR_UNEXPECTED_ACK' }) }]);
    expect(h.closes(actions)).toEqual([]);
  });

  test('a PUBREC for an unknown id is answered with PUBREL 0x92 (5.0)', () => {
    const h = new SessionHarness();
    h.connect();
    h.take();
    h.receive({ type: 'pubrec', packetId: 99, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBREL 99 rc92']);
  });

  test('a second PUBREC (after a resend) gets PUBREL again', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 2);
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    h.take();
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBREL 1']);
  });
});

describe("a broker's ack of the wrong kind settles the message, never leaves it hanging", () => {
  const warnings = (h: SessionHarness) => h.events().filter((e) => e.name === 'warning');

  test('a PUBACK for a QoS 2 message (RabbitMQ) resolves it, acknowledged at QoS 1, forgets it and frees its id', () => {
    const h = new SessionHarness({ protocolVersion: 4 });
    h.connect();
    h.take();
    h.publish(1, 2);
    expect(trace(h.sent())).toEqual(['PUBLISH q2 1']);
    h.receive({ type: 'puback', packetId: 1 });
    expect(h.settlements()).toEqual([{ type: 'settle', operation: 'publish', id: 1, result: { id: 1, qos: 2, packetId: 1, acknowledgedAtQos: 1 } }]);
    expect(h.outbox.size).toBe(0);
    expect(h.session.ids.has(1)).toBe(false);
    expect(h.sent()).toEqual([]); // no PUBREL: the broker ended the flow
    expect(warnings(h)).toEqual([{ name: 'warning', error: expect.objectContaining({ code: 'ERR_UNEXPECTED_ACK', message: expect.stringMatching(/PUBACK for a QoS 2 message/) }) }]);
  });

  test('it frees its place in the window: a QoS 1 message behind a full window of QoS 2 ones goes out and settles', () => {
    const h = new SessionHarness({ protocolVersion: 4, maxInflight: 3 });
    h.connect();
    h.take();
    for (let id = 1; id <= 3; id++) h.publish(id, 2);
    h.publish(4, 1);
    expect(trace(h.sent())).toEqual(['PUBLISH q2 1', 'PUBLISH q2 2', 'PUBLISH q2 3']);
    for (let packetId = 1; packetId <= 3; packetId++) h.receive({ type: 'puback', packetId });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 4']);
    h.receive({ type: 'puback', packetId: 4 });
    expect(h.settlements().map((s) => [s.id, (s.result as { acknowledgedAtQos?: number }).acknowledgedAtQos])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, undefined],
    ]);
  });

  test('one warning per connection, however many messages it concerns; the next connection warns again', () => {
    const h = new SessionHarness({ protocolVersion: 4 });
    h.connect();
    h.publish(1, 2);
    h.publish(2, 2);
    h.receive({ type: 'puback', packetId: 1 });
    h.receive({ type: 'puback', packetId: 2 });
    expect(warnings(h)).toHaveLength(1);
    h.disconnect();
    h.connect({ sessionPresent: true });
    h.publish(3, 2);
    h.receive({ type: 'puback', packetId: 3 });
    expect(warnings(h)).toHaveLength(2);
  });

  test('5.0: a PUBACK of 0x80 or more for a QoS 2 message rejects it with the code, as for QoS 1 [MQTT-4.4.0-2]', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 2);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0x97 });
    expect(h.settlements()).toEqual([expect.objectContaining({ id: 1, error: expect.objectContaining({ code: 'ERR_PUBLISH_REJECTED', reasonCode: 0x97 }) })]);
    expect(h.session.ids.has(1)).toBe(false);
  });

  test('a PUBREC for a QoS 1 message is finished as a QoS 2 flow: PUBREL, and PUBCOMP resolves it, acknowledged at QoS 2', () => {
    const h = new SessionHarness({ protocolVersion: 4 });
    h.connect();
    h.take();
    h.publish(1, 1);
    h.receive({ type: 'pubrec', packetId: 1 });
    expect(trace(h.sent())).toEqual(['PUBLISH q1 1', 'PUBREL 1']);
    expect(h.outbox.get(1)).toMatchObject({ state: 'released' });
    expect(h.settlements()).toEqual([]);
    h.receive({ type: 'pubcomp', packetId: 1 });
    expect(h.settlements()).toEqual([{ type: 'settle', operation: 'publish', id: 1, result: { id: 1, qos: 1, packetId: 1, acknowledgedAtQos: 2 } }]);
    expect(h.session.ids.has(1)).toBe(false);
    expect(warnings(h)).toEqual([{ name: 'warning', error: expect.objectContaining({ message: expect.stringMatching(/PUBREC for a QoS 1 message/) }) }]);
  });
});

describe("the broker's limits from CONNACK", () => {
  test('[MQTT-3.2.2-11] a QoS above its Maximum QoS is refused at once', () => {
    const h = new SessionHarness();
    h.connect({ properties: { maximumQoS: 1 } });
    h.publish(1, 2);
    expect(h.settlements()[0]).toMatchObject({ error: { code: 'ERR_INVALID_ARGUMENT' } });
    expect(h.outbox.size).toBe(0);
  });

  test('[MQTT-3.2.2-14] a retained message is refused when retain is not available', () => {
    const h = new SessionHarness();
    h.connect({ properties: { retainAvailable: false } });
    h.publish(1, 1, 't', { retain: true });
    expect(h.settlements()[0]).toMatchObject({ error: { code: 'ERR_INVALID_ARGUMENT' } });
  });

  test('[MQTT-3.2.2-15] a message larger than its Maximum Packet Size is refused at once', () => {
    const h = new SessionHarness();
    h.connect({ properties: { maximumPacketSize: 100 } });
    // header 2 + topic 3 + packet id 2 + property length 1 + payload: 92 bytes fit in 100, 93 do not
    h.publish(1, 1, 't', { payload: new Uint8Array(92) });
    h.publish(2, 1, 't', { payload: new Uint8Array(93) });
    const [first, second] = h.settlements();
    expect(first).toMatchObject({ id: 2, error: { code: 'ERR_INVALID_ARGUMENT' } });
    expect(second).toBeUndefined();
    expect([...h.outbox.keys()]).toEqual([1]);
  });
});

describe("the broker's limits hold at QoS 0 too", () => {
  test('[MQTT-3.2.2-15] a QoS 0 PUBLISH larger than its Maximum Packet Size rejects and is not sent; one at the limit goes', () => {
    const h = new SessionHarness();
    h.connect({ properties: { maximumPacketSize: 30 } });
    h.take();
    // header 2 + topic 3 + property length 1 + payload: 24 bytes fit in 30, 25 do not
    h.publish(1, 0, 't', { payload: new Uint8Array(25) });
    h.publish(2, 0, 't', { payload: new Uint8Array(24) });
    expect(trace(h.sent())).toEqual(['PUBLISH q0']);
    expect(h.settlements()).toEqual([
      expect.objectContaining({ id: 1, error: expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/31 bytes.*30 at most/) }) }),
      expect.objectContaining({ id: 2, result: { id: 2, qos: 0 } }),
    ]);
  });

  test('[MQTT-3.2.2-15] a QoS 0 PUBLISH queued offline is checked against the limit when it would leave', () => {
    const h = new SessionHarness();
    h.publish(1, 0, 't', { payload: new Uint8Array(25) });
    h.take();
    h.connect({ properties: { maximumPacketSize: 30 } });
    expect(trace(h.sent())).toEqual(['CONNECT']);
    expect(h.settlements()).toEqual([expect.objectContaining({ id: 1, error: expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) })]);
  });

  test('[MQTT-3.2.2-14] a retained QoS 0 PUBLISH is refused and not sent when retain is not available', () => {
    const h = new SessionHarness();
    h.connect({ properties: { retainAvailable: false } });
    h.take();
    h.publish(1, 0, 't', { retain: true });
    expect(h.sent()).toEqual([]);
    expect(h.settlements()).toEqual([expect.objectContaining({ id: 1, error: expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/MQTT-3.2.2-14/) }) })]);
  });
});

describe('aborting', () => {
  test('before it is sent, the message is dropped and forgotten', () => {
    const h = new SessionHarness();
    h.publish(1, 1);
    h.handle({ type: 'abortRequested', id: 1 });
    expect(h.settlements()[0]).toMatchObject({ id: 1, error: { code: 'ERR_ABORTED', sent: false } });
    expect(h.outbox.size).toBe(0);
    h.take();
    h.connect();
    expect(publishes(h.sent())).toEqual([]);
  });

  test('once sent it cannot be called back: the flow goes on', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 1);
    expect(h.session.wasSent(1)).toBe(true);
    h.handle({ type: 'abortRequested', id: 1 });
    expect(h.settlements()).toEqual([]);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0 });
    expect(h.settlements()[0]).toMatchObject({ id: 1, result: { packetId: 1 } });
  });
});
