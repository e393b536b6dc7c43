import { describe, expect, test } from 'vitest';
import type { PublishPacket } from '@courier/core';
import { SessionHarness, trace } from './session-harness';

function incoming(packetId: number, qos: 0 | 1 | 2, extra: Partial<PublishPacket> = {}): PublishPacket {
  const packet: PublishPacket = { type: 'publish', topic: 'in/1', payload: Uint8Array.of(packetId), qos, dup: false, retain: false, ...extra };
  if (qos > 0) packet.packetId = packetId;
  return packet;
}

describe('receiving', () => {
  test('QoS 0 is delivered and not acknowledged', () => {
    const h = new SessionHarness();
    h.connect();
    h.take();
    const actions = h.receive(incoming(0, 0));
    expect(actions.map((a) => a.type)).toEqual(['deliver']);
    expect(h.delivered()[0]).toEqual({ topic: 'in/1', payload: Uint8Array.of(0), qos: 0, retain: false, dup: false });
  });

  test('QoS 1 is delivered, then PUBACK once the application has it', () => {
    const h = new SessionHarness();
    h.autoAck = false;
    h.connect();
    h.take();
    const actions = h.receive(incoming(7, 1));
    expect(actions).toEqual([{ type: 'deliver', message: expect.objectContaining({ qos: 1 }), deliveryId: 1 }]);
    expect(h.ack().map((a) => (a.type === 'send' ? `send ${a.packet.type}` : a.type))).toEqual(['send puback', 'ackSent']);
  });

  test('a QoS 1 duplicate after PUBACK is a new message: delivered again (at least once)', () => {
    const h = new SessionHarness();
    h.connect();
    h.receive(incoming(7, 1));
    h.receive(incoming(7, 1, { dup: true }));
    expect(h.delivered()).toHaveLength(2);
  });

  test('QoS 2: delivered first; once the application has it, its packet id is written, and PUBREC waits until that is durable', () => {
    const h = new SessionHarness();
    h.autoStore = false;
    h.autoAck = false;
    h.connect();
    h.take();
    expect(h.receive(incoming(5, 2)).map((a) => a.type)).toEqual(['deliver']);
    expect(h.incomingIds.size).toBe(0); // in the application's hands: the broker still owes it
    expect(h.ack()).toEqual([{ type: 'persist', change: { op: 'putIncoming', packetId: 5 }, awaited: true }]);
    const after = h.store();
    expect(after.map((a) => (a.type === 'send' ? `send ${a.packet.type}` : a.type))).toEqual(['send pubrec', 'ackSent']);
    expect(h.incomingIds.has(5)).toBe(true);
  });

  test('[MQTT-4.3.3-10] a duplicate QoS 2 PUBLISH before PUBREL gets PUBREC again and is not delivered again', () => {
    const h = new SessionHarness();
    h.connect();
    h.receive(incoming(5, 2));
    h.take();
    h.receive(incoming(5, 2, { dup: true }));
    expect(trace(h.sent())).toEqual(['PUBREC 5']);
    expect(h.delivered()).toHaveLength(1);
  });

  test('a resend on the same connection while the id is still being written is the same message: one PUBREC answers both, one delivery', () => {
    const h = new SessionHarness();
    h.autoStore = false;
    h.connect();
    h.receive(incoming(5, 2));
    h.receive(incoming(5, 2, { dup: true }));
    h.take();
    h.store();
    expect(trace(h.sent())).toEqual(['PUBREC 5']);
    expect(h.delivered()).toHaveLength(1);
  });

  test('PUBREL forgets the id and gets PUBCOMP; after that the id is free for a new message', () => {
    const h = new SessionHarness();
    h.connect();
    h.receive(incoming(5, 2));
    h.take();
    h.receive({ type: 'pubrel', packetId: 5, reasonCode: 0 });
    expect(trace(h.sent())).toEqual(['PUBCOMP 5']);
    expect(h.incomingIds.size).toBe(0);
    h.receive(incoming(5, 2));
    expect(h.delivered()).toHaveLength(2);
  });

  test('a PUBREL for an unknown id still gets PUBCOMP: 0x92 in 5.0 (3.7.2.1), plain in 3.1.1', () => {
    for (const [version, expected] of [[5, 'PUBCOMP 9 rc92'], [4, 'PUBCOMP 9']] as const) {
      const h = new SessionHarness({ protocolVersion: version });
      h.connect();
      h.take();
      h.receive({ type: 'pubrel', packetId: 9, reasonCode: 0 });
      expect(trace(h.sent())).toEqual([expected]);
    }
  });

  test('[MQTT-4.6.0-2] acks keep arrival order: a PUBACK waits behind a PUBREC whose write is slow', () => {
    const h = new SessionHarness();
    h.autoStore = false;
    h.connect();
    h.take();
    h.receive(incoming(1, 2));
    h.receive(incoming(2, 1));
    h.receive(incoming(3, 0));
    expect(h.delivered().map((m) => m.payload[0])).toEqual([1, 2, 3]);
    expect(h.sent()).toEqual([]);
    h.store();
    expect(trace(h.sent())).toEqual(['PUBREC 1', 'PUBACK 2']);
  });

  test('[MQTT-4.6.0-2] acks keep arrival order when the application acknowledges out of order', () => {
    const h = new SessionHarness();
    h.autoAck = false;
    h.connect();
    h.receive(incoming(1, 1));
    h.receive(incoming(2, 2));
    h.receive(incoming(3, 1));
    h.take();
    h.ack([3, 2]);
    expect(h.sent()).toEqual([]);
    h.ack([1]);
    expect(trace(h.sent())).toEqual(['PUBACK 1', 'PUBREC 2', 'PUBACK 3']);
  });

  test('[MQTT-4.6.0-3] PUBRECs go in the order the PUBLISHes came, even when a later one is recorded first', () => {
    const h = new SessionHarness();
    h.autoStore = false;
    h.connect();
    h.take();
    h.receive(incoming(5, 2));
    h.receive(incoming(3, 2));
    h.handle({ type: 'stored', ids: [], incoming: [3] });
    expect(h.sent()).toEqual([]);
    h.handle({ type: 'stored', ids: [], incoming: [5] });
    expect(trace(h.sent())).toEqual(['PUBREC 5', 'PUBREC 3']);
  });

  test('a received QoS 2 id restored from the outbox makes a resent PUBLISH a duplicate after a restart', () => {
    const h = new SessionHarness();
    h.handle({ type: 'restore', snapshot: { outgoing: [], incoming: [5], nextId: 1 } });
    h.connect({ sessionPresent: true });
    h.take();
    h.receive(incoming(5, 2, { dup: true }));
    expect(trace(h.sent())).toEqual(['PUBREC 5']);
    expect(h.delivered()).toEqual([]);
  });

  test('received QoS 2 ids are forgotten when the broker starts a new session', () => {
    const h = new SessionHarness();
    h.handle({ type: 'restore', snapshot: { outgoing: [], incoming: [5], nextId: 1 } });
    h.connect({ sessionPresent: false });
    expect(h.incomingIds.size).toBe(0);
    h.receive(incoming(5, 2));
    expect(h.delivered()).toHaveLength(1);
  });

  test('a broker exceeding our Receive Maximum breaks the protocol (3.3.4): reported once per connection, and its messages taken rather than looping on DISCONNECT', () => {
    const h = new SessionHarness({ receiveMaximum: 2 });
    h.autoAck = false;
    h.connect();
    h.receive(incoming(1, 2));
    h.receive(incoming(2, 2));
    h.take();
    const actions = h.receive(incoming(3, 2));
    h.receive(incoming(4, 2));
    expect(h.overflows(actions)).toEqual([{ name: 'warning', error: expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x93 }) }]);
    expect(h.overflows()).toHaveLength(1);
    expect(h.closes()).toEqual([]);
    expect(h.delivered()).toHaveLength(4);
    h.disconnect();
    h.connect({ sessionPresent: true });
    for (let id = 5; id <= 7; id++) h.receive(incoming(id, 2));
    expect(h.overflows()).toHaveLength(2); // once more on the new connection
  });

  test('PUBCOMP for an unknown PUBREL frees no place under our Receive Maximum', () => {
    const h = new SessionHarness({ receiveMaximum: 2 });
    h.connect();
    h.receive(incoming(1, 2));
    h.receive(incoming(2, 2));
    h.receive({ type: 'pubrel', packetId: 9 });
    const actions = h.receive(incoming(3, 2));
    expect(h.overflows(actions)).toHaveLength(1);
  });

  test('PUBCOMP frees a place under our Receive Maximum', () => {
    const h = new SessionHarness({ receiveMaximum: 1 });
    h.connect();
    h.receive(incoming(1, 2));
    h.receive({ type: 'pubrel', packetId: 1 });
    const actions = h.receive(incoming(2, 2));
    expect(h.overflows(actions)).toEqual([]);
    expect(h.delivered()).toHaveLength(2);
  });
});

describe('topic aliases from the broker (3.3.2.3.4)', () => {
  test('are set by a PUBLISH with a topic and resolved in later ones; the application sees topics only', () => {
    const h = new SessionHarness({ topicAliasMaximum: 10 });
    h.connect();
    h.receive(incoming(0, 0, { topic: 'sensors/7', properties: { topicAlias: 3, contentType: 'json' } }));
    h.receive(incoming(0, 0, { topic: '', properties: { topicAlias: 3 } }));
    expect(h.delivered().map((m) => [m.topic, m.properties])).toEqual([
      ['sensors/7', { contentType: 'json' }],
      ['sensors/7', undefined],
    ]);
  });

  test('[MQTT-3.3.2-7] are forgotten with the connection', () => {
    const h = new SessionHarness({ topicAliasMaximum: 10 });
    h.connect();
    h.receive(incoming(0, 0, { topic: 'sensors/7', properties: { topicAlias: 3 } }));
    h.disconnect();
    h.connect();
    h.take();
    const actions = h.receive(incoming(0, 0, { topic: '', properties: { topicAlias: 3 } }));
    expect(trace(h.sent())).toEqual(['DISCONNECT rc82']);
    expect(h.closes(actions)).toHaveLength(1);
  });

  test('an alias above our Topic Alias Maximum is refused with 0x94', () => {
    const h = new SessionHarness({ topicAliasMaximum: 2 });
    h.connect();
    h.take();
    h.receive(incoming(0, 0, { topic: 't', properties: { topicAlias: 3 } }));
    expect(trace(h.sent())).toEqual(['DISCONNECT rc94']);
    expect(h.delivered()).toEqual([]);
  });
});

describe('while the application has no message handler (delivery held)', () => {
  test('new messages wait unacknowledged and unrecorded, then go in arrival order with their acks', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'deliveryHeld', held: true });
    h.take();
    h.receive(incoming(1, 1));
    h.receive(incoming(2, 2));
    h.receive(incoming(0, 0));
    expect(h.take()).toEqual([]); // no delivery, no PUBACK/PUBREC, no outbox write
    h.handle({ type: 'deliveryHeld', held: false });
    expect(h.delivered().map((m) => m.qos)).toEqual([1, 2, 0]);
    expect(trace(h.sent())).toEqual(['PUBACK 1', 'PUBREC 2']);
    expect(h.incomingIds.has(2)).toBe(true);
  });

  test('a message that arrives after the hold ends does not overtake held ones', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'deliveryHeld', held: true });
    h.receive(incoming(1, 1));
    h.handle({ type: 'deliveryHeld', held: false });
    h.receive(incoming(2, 1));
    expect(h.delivered().map((m) => m.payload[0])).toEqual([1, 2]);
  });

  test('a lost connection forgets held messages: never acknowledged, the broker still owes them', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'deliveryHeld', held: true });
    h.receive(incoming(1, 1));
    h.receive(incoming(2, 2));
    h.disconnect();
    h.handle({ type: 'deliveryHeld', held: false });
    expect(h.delivered()).toEqual([]);
    expect(h.incomingIds.size).toBe(0);
    h.connect({ sessionPresent: true });
    h.take();
    h.receive(incoming(2, 2, { dup: true }));
    expect(h.delivered()).toHaveLength(1); // delivered, not taken for a duplicate
    expect(trace(h.sent())).toEqual(['PUBREC 2']);
  });

  test('a duplicate of a QoS 2 id recorded before the hold is answered at once and not delivered', () => {
    const h = new SessionHarness();
    h.connect();
    h.receive(incoming(5, 2));
    h.handle({ type: 'deliveryHeld', held: true });
    h.take();
    h.receive(incoming(5, 2, { dup: true }));
    expect(trace(h.sent())).toEqual(['PUBREC 5']);
    h.receive(incoming(5, 2, { dup: true })); // a broker resending one held before its PUBREC
    h.handle({ type: 'deliveryHeld', held: false });
    expect(h.delivered()).toHaveLength(1);
  });

  test('QoS 0 beyond 1000 held is dropped with one warning; QoS 1 and 2 are never dropped', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'deliveryHeld', held: true });
    for (let i = 0; i < 1005; i++) h.receive(incoming(0, 0));
    h.receive(incoming(9, 1));
    expect(h.events().filter((e) => e.name === 'warning')).toHaveLength(1);
    h.handle({ type: 'deliveryHeld', held: false });
    expect(h.delivered().filter((m) => m.qos === 0)).toHaveLength(1000);
    expect(h.delivered().filter((m) => m.qos === 1)).toHaveLength(1);
  });

  test('a resend of a held QoS 2 message counts once against our Receive Maximum', () => {
    const h = new SessionHarness({ receiveMaximum: 2 });
    h.connect();
    h.handle({ type: 'deliveryHeld', held: true });
    h.receive(incoming(1, 2));
    h.receive(incoming(1, 2, { dup: true }));
    const actions = h.receive(incoming(2, 2));
    expect(h.closes(actions)).toEqual([]);
    h.handle({ type: 'deliveryHeld', held: false });
    expect(h.delivered().map((m) => m.payload[0])).toEqual([1, 2]);
  });

  test('[MQTT-2.3.1-4] MQTT 3.1.1: with every packet id unacknowledged, a PUBLISH under one of them is that message again: kept and delivered once', () => {
    const h = new SessionHarness({ protocolVersion: 4 });
    h.connect();
    h.handle({ type: 'deliveryHeld', held: true });
    for (let i = 0; i < 65_535; i++) h.receive(incoming(i + 1, 1));
    h.receive(incoming(1, 1, { dup: true }));
    expect(h.closes(h.take())).toEqual([]);
    h.handle({ type: 'deliveryHeld', held: false });
    expect(h.delivered()).toHaveLength(65_535);
  });

  test('a graceful end does not wait for held messages', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'deliveryHeld', held: true });
    h.receive(incoming(1, 1));
    expect(h.session.isIdle()).toBe(true);
  });
});

describe('acknowledging only what the application has', () => {
  test('a message in the application\'s hands is not acknowledged, and counts against our Receive Maximum until it is', () => {
    const h = new SessionHarness({ receiveMaximum: 2 });
    h.autoAck = false;
    h.connect();
    h.receive(incoming(1, 1));
    h.receive(incoming(2, 2));
    h.take();
    expect(h.overflows(h.receive(incoming(3, 1)))).toHaveLength(1);
    const g = new SessionHarness({ receiveMaximum: 2 });
    g.autoAck = false;
    g.connect();
    g.receive(incoming(1, 1));
    g.receive(incoming(2, 1));
    g.ack();
    g.take();
    expect(g.overflows(g.receive(incoming(3, 1)))).toEqual([]);
    expect(g.delivered()).toHaveLength(3);
  });

  test('a resend after a reconnect of a message the application holds is not delivered again; its ack() answers it on the new connection', () => {
    const h = new SessionHarness();
    h.autoAck = false;
    h.connect();
    h.receive(incoming(4, 1));
    h.receive(incoming(5, 2));
    h.disconnect();
    h.connect({ sessionPresent: true });
    h.take();
    h.receive(incoming(4, 1, { dup: true }));
    h.receive(incoming(5, 2, { dup: true }));
    expect(h.delivered()).toHaveLength(2);
    expect(h.sent()).toEqual([]);
    const actions = h.ack();
    expect(trace(h.sent())).toEqual(['PUBACK 4', 'PUBREC 5']);
    expect(actions.filter((a) => a.type === 'ackSent')).toEqual([
      { type: 'ackSent', deliveryId: 1 },
      { type: 'ackSent', deliveryId: 2 },
    ]);
  });

  test('acknowledged while the connection was down: the resend is answered at once, and not delivered again', () => {
    const h = new SessionHarness();
    h.autoAck = false;
    h.connect();
    h.receive(incoming(4, 1));
    h.receive(incoming(5, 2));
    h.disconnect();
    h.ack();
    h.connect({ sessionPresent: true });
    h.take();
    h.receive(incoming(4, 1, { dup: true }));
    h.receive(incoming(5, 2, { dup: true }));
    expect(trace(h.sent())).toEqual(['PUBACK 4', 'PUBREC 5']);
    expect(h.delivered()).toHaveLength(2);
  });

  test('the broker lost the session: what the application held is counted in sessionLost, and its ack() settles without sending', () => {
    const h = new SessionHarness();
    h.autoAck = false;
    h.connect();
    h.receive(incoming(4, 1));
    h.disconnect();
    const actions = h.connect({ sessionPresent: false });
    expect(h.events(actions)).toContainEqual(expect.objectContaining({ name: 'sessionLost', unacknowledgedReceived: 1 }));
    h.take();
    expect(h.ack()).toEqual([{ type: 'ackSent', deliveryId: 1 }]);
    expect(h.sent()).toEqual([]);
  });

  test('a QoS 2 message in hand when the process dies is not recorded: after a restart, the broker\'s resend is delivered again', () => {
    const h = new SessionHarness();
    h.autoAck = false;
    h.connect();
    h.receive(incoming(5, 2));
    expect(h.incomingIds.size).toBe(0);
    const restarted = new SessionHarness();
    restarted.handle({ type: 'restore', snapshot: { outgoing: [], incoming: [...h.incomingIds], nextId: 1 } });
    restarted.connect({ sessionPresent: true });
    restarted.take();
    restarted.receive(incoming(5, 2, { dup: true }));
    expect(restarted.delivered()).toHaveLength(1);
    expect(trace(restarted.sent())).toEqual(['PUBREC 5']);
  });

  test('acknowledging twice, or an id that is unknown, sends nothing more', () => {
    const h = new SessionHarness();
    h.autoAck = false;
    h.connect();
    h.receive(incoming(4, 1));
    h.take();
    h.ack([1]);
    expect(trace(h.sent())).toEqual(['PUBACK 4']);
    expect(h.ack([1, 99])).toEqual([
      { type: 'ackSent', deliveryId: 1 },
      { type: 'ackSent', deliveryId: 99 },
    ]);
    expect(h.sent()).toEqual([]);
  });

  test('a graceful end does not wait for messages in the application\'s hands, only for the record of one it acknowledged', () => {
    const h = new SessionHarness();
    h.autoAck = false;
    h.autoStore = false;
    h.connect();
    h.receive(incoming(1, 2));
    expect(h.session.isIdle()).toBe(true);
    h.ack();
    expect(h.session.isIdle()).toBe(false);
    h.store();
    expect(h.session.isIdle()).toBe(true);
  });
});
