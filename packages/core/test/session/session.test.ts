import { describe, expect, test } from 'vitest';
import { DecodeError } from '@courier/core';
import { SessionHarness, trace } from './session-harness';

describe('connecting', () => {
  test('sends CONNECT with the options, and 5.0 properties only in 5.0', () => {
    const options = { clientId: 'c1', clean: false, keepAlive: 30, username: 'u', sessionExpiryInterval: 3600, receiveMaximum: 50 };
    const v5 = new SessionHarness({ ...options, protocolVersion: 5 });
    v5.handle({ type: 'connectionOpened' });
    expect(v5.sent()).toEqual([
      { type: 'connect', protocolVersion: 5, clientId: 'c1', clean: false, keepAlive: 30, username: 'u', properties: { sessionExpiryInterval: 3600, receiveMaximum: 50 } },
    ]);
    const v4 = new SessionHarness({ ...options, protocolVersion: 4 });
    v4.handle({ type: 'connectionOpened' });
    expect(v4.sent()).toEqual([{ type: 'connect', protocolVersion: 4, clientId: 'c1', clean: false, keepAlive: 30, username: 'u' }]);
  });

  test('reports the connection once CONNACK accepts it', () => {
    const h = new SessionHarness();
    const actions = h.connect({ sessionPresent: false });
    expect(h.events(actions)).toEqual([{ name: 'connected', protocolVersion: 5, connack: { type: 'connack', sessionPresent: false, reasonCode: 0 } }]);
    expect(h.session.connected).toBe(true);
  });

  test('a refusal closes the connection and says whether retrying can help', () => {
    for (const [reasonCode, retry] of [[0x86, 'never'], [0x88, 'later'], [0x87, 'never'], [0x89, 'later']] as const) {
      const h = new SessionHarness();
      h.handle({ type: 'connectionOpened' });
      const actions = h.receive({ type: 'connack', sessionPresent: false, reasonCode });
      expect(h.events(actions)).toEqual([{ name: 'refused', retry, error: expect.objectContaining({ code: 'ERR_CONNECT_REFUSED', reasonCode }) }]);
      expect(h.closes(actions)).toHaveLength(1);
    }
  });

  test('[MQTT-3.1.2-2] a broker that refuses 5.0 makes the next attempt use 3.1.1, once, and says so', () => {
    const h = new SessionHarness({ protocolVersion: 5 });
    h.handle({ type: 'connectionOpened' });
    // a 3.1.1-only broker answers in its own form: return code 0x01 [MQTT-3.1.2-2]
    const actions = h.receive({ type: 'connack', sessionPresent: false, reasonCode: 1 });
    expect(h.events(actions).map((e) => e.name)).toEqual(['warning', 'refused']);
    expect(h.events(actions)[1]).toMatchObject({ retry: 'now' });
    h.disconnect();
    h.take();
    h.handle({ type: 'connectionOpened' });
    expect(h.sent()).toEqual([expect.objectContaining({ type: 'connect', protocolVersion: 4 })]);
    const again = h.receive({ type: 'connack', sessionPresent: false, reasonCode: 1 });
    expect(h.events(again)).toEqual([expect.objectContaining({ name: 'refused', retry: 'never' })]);
  });

  test('[MQTT-3.1.4-1] the first connection to a broker closed after a 5.0 CONNECT, before CONNACK, falls back to 3.1.1 once and says so', () => {
    const h = new SessionHarness({ protocolVersion: 5 });
    h.handle({ type: 'connectionOpened' });
    h.take();
    const lost = h.disconnect();
    expect(h.events(lost)).toEqual([
      { name: 'warning', error: expect.objectContaining({ code: 'ERR_FALLBACK_TO_V4' }) },
      { name: 'fallback' },
    ]);
    h.handle({ type: 'connectionOpened' });
    expect(h.sent()).toEqual([expect.objectContaining({ type: 'connect', protocolVersion: 4 })]);
    // at 3.1.1 a close is only a close: no second fallback
    expect(h.events(h.disconnect())).toEqual([]);
    h.handle({ type: 'connectionOpened' });
    expect(h.sent()).toEqual([expect.objectContaining({ type: 'connect', protocolVersion: 4 })]);
  });

  test('a close before CONNACK falls back only on the first connection to that broker, and each broker keeps the version it spoke', () => {
    const h = new SessionHarness({ protocolVersion: 5 });
    h.connect();
    h.disconnect();
    h.handle({ type: 'connectionOpened' });
    expect(h.events(h.disconnect())).toEqual([]); // this broker spoke 5.0: a close is a lost connection
    h.handle({ type: 'connectionOpened', broker: 1 });
    h.take();
    expect(h.events(h.disconnect()).map((e) => e.name)).toEqual(['warning', 'fallback']);
    h.handle({ type: 'connectionOpened', broker: 1 });
    expect(h.sent()).toEqual([expect.objectContaining({ protocolVersion: 4 })]);
    h.receive({ type: 'connack', sessionPresent: false, reasonCode: 0 });
    h.disconnect();
    h.handle({ type: 'connectionOpened', broker: 0 });
    expect(h.sent()).toEqual([expect.objectContaining({ protocolVersion: 5 })]);
  });

  test('a close we caused before CONNACK (the connect timeout) is no reason to fall back', () => {
    const h = new SessionHarness({ protocolVersion: 5, connectTimeoutMs: 1_000 });
    h.handle({ type: 'connectionOpened' });
    h.advance(1_000);
    expect(h.events(h.disconnect())).toEqual([]);
    h.take();
    h.handle({ type: 'connectionOpened' });
    expect(h.sent()).toEqual([expect.objectContaining({ protocolVersion: 5 })]);
  });

  test('without fallbackToV4 a close before CONNACK is only a close', () => {
    const h = new SessionHarness({ protocolVersion: 5, fallbackToV4: false });
    h.handle({ type: 'connectionOpened' });
    expect(h.events(h.disconnect())).toEqual([]);
  });

  test('after falling back, owed messages that need 5.0 are refused rather than sent without their properties', () => {
    const h = new SessionHarness({ protocolVersion: 5 });
    h.publish(1, 1, 't', { properties: { messageExpiryInterval: 60 } });
    h.publish(2, 1, 't');
    h.handle({ type: 'connectionOpened' });
    h.receive({ type: 'connack', sessionPresent: false, reasonCode: 0x84 });
    expect(h.settlements()).toEqual([expect.objectContaining({ id: 1, error: expect.objectContaining({ code: 'ERR_ENCODE' }) })]);
    expect([...h.outbox.keys()]).toEqual([2]);
  });

  test('no CONNACK within connectTimeoutMs closes the connection', () => {
    const h = new SessionHarness({ connectTimeoutMs: 2_000 });
    h.handle({ type: 'connectionOpened' });
    expect(h.session.nextDeadline()).toBe(2_000);
    const actions = h.advance(2_000);
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_CONNECTION' })]);
  });

  test('a packet other than CONNACK first breaks the protocol', () => {
    const h = new SessionHarness();
    h.handle({ type: 'connectionOpened' });
    h.take();
    const actions = h.receive({ type: 'pingresp' });
    expect(trace(h.sent())).toEqual(['DISCONNECT rc82']);
    expect(h.closes(actions)).toHaveLength(1);
  });

  test('[MQTT-3.2.2-2] a session present after a clean start breaks the protocol', () => {
    const h = new SessionHarness({ clean: true });
    const actions = h.connect({ sessionPresent: true });
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL' })]);
  });

  test('a 5.0 broker may assign the client id, which later connections use', () => {
    const h = new SessionHarness({ clientId: '' });
    h.connect({ properties: { assignedClientIdentifier: 'given-7' } });
    h.disconnect();
    h.take();
    h.handle({ type: 'connectionOpened' });
    expect(h.sent()).toEqual([expect.objectContaining({ clientId: 'given-7' })]);
  });
});

describe('packet ids', () => {
  test('[MQTT-2.2.1-3] every new SUBSCRIBE, UNSUBSCRIBE and QoS 1/2 PUBLISH takes a non-zero id that nothing in flight holds', () => {
    const h = new SessionHarness();
    h.connect();
    h.take();
    h.publish(1, 1);
    h.handle({ type: 'subscribeRequested', id: 2, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    h.publish(3, 2);
    h.handle({ type: 'unsubscribeRequested', id: 4, topicFilters: ['b'] });
    h.publish(5, 0);
    const first = h.sent();
    const ids = first.flatMap((p) => ('packetId' in p && p.packetId !== undefined ? [p.packetId] : []));
    expect(trace(first)).toEqual(['PUBLISH q1 1', 'SUBSCRIBE 2', 'PUBLISH q2 3', 'UNSUBSCRIBE 4', 'PUBLISH q0']);
    expect(new Set(ids).size).toBe(4);
    expect(ids).not.toContain(0);
    // Once an ack frees an id it may serve again, but never one still in flight.
    h.receive({ type: 'suback', packetId: 2, reasonCodes: [1] });
    for (let id = 6; id < 70_000; id++) h.handle({ type: 'subscribeRequested', id, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    const later = h.sent().map((p) => ('packetId' in p ? p.packetId : undefined));
    expect(later).toHaveLength(65_535 - 3);
    expect(later).not.toContain(1);
    expect(later).not.toContain(3);
    expect(later).not.toContain(4);
    expect(later).toContain(2);
  });
});

describe('keep-alive', () => {
  test('[MQTT-3.1.2-23] sends PINGREQ after keepAlive seconds without sending anything', () => {
    const h = new SessionHarness({ keepAlive: 10 });
    h.connect();
    h.take();
    h.advance(9_999);
    expect(h.sent()).toEqual([]);
    h.advance(1);
    expect(trace(h.sent())).toEqual(['PINGREQ']);
  });

  test('any packet sent postpones the PINGREQ', () => {
    const h = new SessionHarness({ keepAlive: 10 });
    h.connect();
    h.advance(6_000);
    h.publish(1, 0);
    h.take();
    h.advance(6_000);
    expect(h.sent()).toEqual([]);
    h.advance(4_000);
    expect(trace(h.sent())).toEqual(['PINGREQ']);
  });

  test('no PINGRESP within pingTimeoutMs: the connection is dead', () => {
    const h = new SessionHarness({ keepAlive: 10, pingTimeoutMs: 3_000 });
    h.connect();
    h.advance(10_000);
    const actions = h.advance(3_000);
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_CONNECTION' })]);
  });

  test('PINGRESP keeps the connection alive', () => {
    const h = new SessionHarness({ keepAlive: 10, pingTimeoutMs: 3_000 });
    h.connect();
    h.advance(10_000);
    h.receive({ type: 'pingresp' });
    const actions = h.advance(3_000);
    expect(h.closes(actions)).toEqual([]);
  });

  test("[MQTT-3.2.2-21] the broker's Server Keep Alive replaces ours", () => {
    const h = new SessionHarness({ keepAlive: 60 });
    h.connect({ properties: { serverKeepAlive: 5 } });
    h.take();
    h.advance(5_000);
    expect(trace(h.sent())).toEqual(['PINGREQ']);
  });

  test('keepAlive 0 turns it off', () => {
    const h = new SessionHarness({ keepAlive: 0, ackTimeoutMs: 0 });
    h.connect();
    expect(h.session.nextDeadline()).toBeUndefined();
  });
});

describe('a broker that breaks the protocol', () => {
  test('a malformed packet: 5.0 DISCONNECT with its reason code, then close', () => {
    const h = new SessionHarness();
    h.connect();
    h.take();
    const actions = h.handle({ type: 'decodeFailed', error: new DecodeError(0x81, 'bad') });
    expect(trace(h.sent())).toEqual(['DISCONNECT rc81']);
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x81 })]);
  });

  test('in 3.1.1 it just closes', () => {
    const h = new SessionHarness({ protocolVersion: 4 });
    h.connect();
    h.take();
    const actions = h.handle({ type: 'decodeFailed', error: new DecodeError(0x81, 'bad') });
    expect(h.sent()).toEqual([]);
    expect(h.closes(actions)).toHaveLength(1);
  });

  test('a packet only clients send, or a second CONNACK, is a protocol error', () => {
    for (const packet of [{ type: 'pingreq' as const }, { type: 'connack' as const, sessionPresent: false, reasonCode: 0 }]) {
      const h = new SessionHarness();
      h.connect();
      expect(h.closes(h.receive(packet))).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL' })]);
    }
  });

  test('[MQTT-3.2.0-1] PUBLISH and PUBREL before CONNACK (Aedes 1.2 restoring a session) are handled after it, in order, with one warning', () => {
    const h = new SessionHarness({ protocolVersion: 4 });
    h.handle({ type: 'connectionOpened' });
    h.take();
    const early = [
      h.receive({ type: 'publish', topic: 't', payload: Uint8Array.of(1), qos: 1, dup: false, retain: false, packetId: 7 }),
      h.receive({ type: 'pubrel', packetId: 3 }),
      h.receive({ type: 'publish', topic: 't', payload: Uint8Array.of(2), qos: 2, dup: false, retain: false, packetId: 8 }),
    ].flat();
    expect(h.closes(early)).toEqual([]);
    expect(h.delivered(early)).toEqual([]);
    expect(h.events(early)).toEqual([{ name: 'warning', error: expect.objectContaining({ code: 'ERR_PROTOCOL', message: 'the broker sent PUBLISH before CONNACK' }) }]);
    expect(h.sent()).toEqual([]);
    const actions = h.receive({ type: 'connack', sessionPresent: true, reasonCode: 0 });
    expect(h.events(actions).map((e) => e.name)).toEqual(['connected']);
    expect(h.delivered(actions).map((m) => m.payload[0])).toEqual([1, 2]);
    // The same answers as when the three come right after CONNACK.
    expect(trace(h.sent()).sort()).toEqual(['PUBACK 7', 'PUBCOMP 3', 'PUBREC 8']);
  });

  test('before CONNACK, other packets are still a protocol error, a refusal drops what came early, and more than may be unacknowledged closes', () => {
    const acks = new SessionHarness();
    acks.handle({ type: 'connectionOpened' });
    expect(acks.closes(acks.receive({ type: 'puback', packetId: 1 }))).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', message: 'the broker sent PUBACK before CONNACK' })]);

    const refused = new SessionHarness();
    refused.handle({ type: 'connectionOpened' });
    refused.receive({ type: 'publish', topic: 't', payload: Uint8Array.of(1), qos: 1, dup: false, retain: false, packetId: 7 });
    refused.take();
    refused.receive({ type: 'connack', sessionPresent: false, reasonCode: 0x87 });
    expect(refused.delivered()).toEqual([]);
    expect(trace(refused.sent())).toEqual([]);

    const flood = new SessionHarness({ receiveMaximum: 2 });
    flood.handle({ type: 'connectionOpened' });
    const actions = [1, 2, 3].flatMap((packetId) => flood.receive({ type: 'publish', topic: 't', payload: Uint8Array.of(packetId), qos: 1, dup: false, retain: false, packetId }));
    expect(flood.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x93 })]);
    expect(flood.events(actions).map((e) => e.name)).toEqual(['warning']);
  });

  test('after closing, nothing more from that connection is acted on', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'decodeFailed', error: new DecodeError(0x81, 'bad') });
    h.take();
    h.receive({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 1, dup: false, retain: false, packetId: 1 });
    expect(h.take()).toEqual([]);
  });

  test('a DISCONNECT from the broker is reported and the connection closed', () => {
    const h = new SessionHarness();
    h.connect();
    const actions = h.receive({ type: 'disconnect', reasonCode: 0x8b, properties: { reasonString: 'maintenance' } });
    expect(h.events(actions)).toEqual([{ name: 'serverDisconnect', reasonCode: 0x8b, properties: { reasonString: 'maintenance' } }]);
    expect(h.closes(actions)).toHaveLength(1);
  });
});

describe('ending', () => {
  test('disconnectRequested sends DISCONNECT and closes; what is owed stays in the outbox', () => {
    const h = new SessionHarness();
    h.connect();
    h.publish(1, 1);
    h.take();
    const actions = h.handle({ type: 'disconnectRequested' });
    expect(trace(h.sent())).toEqual(['DISCONNECT']);
    expect(h.closes(actions)).toHaveLength(1);
    expect(h.outbox.has(1)).toBe(true);
  });

  test('endRequested rejects every pending operation and keeps the durable records for the next start', () => {
    const h = new SessionHarness();
    h.publish(1, 1);
    h.publish(2, 0);
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 0 }] });
    h.handle({ type: 'endRequested' });
    expect(h.settlements().map((s) => [s.operation, s.id, s.error?.code])).toEqual([
      ['publish', 1, 'ERR_CLIENT_ENDED'],
      ['publish', 2, 'ERR_CLIENT_ENDED'],
      ['subscribe', 1, 'ERR_CLIENT_ENDED'],
    ]);
    expect(h.outbox.has(1)).toBe(true);
    h.publish(3, 1);
    expect(h.settlements().at(-1)).toMatchObject({ id: 3, error: { code: 'ERR_CLIENT_ENDED' } });
  });

  test('isIdle says when nothing is owed', () => {
    const h = new SessionHarness();
    h.connect();
    expect(h.session.isIdle()).toBe(true);
    h.publish(1, 1);
    expect(h.session.isIdle()).toBe(false);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0 });
    expect(h.session.isIdle()).toBe(true);
  });
});
