import { describe, expect, test } from 'vitest';
import { SessionHarness, trace } from './session-harness';

describe('subscribing', () => {
  test('sends SUBSCRIBE with a packet id and settles with the granted QoS per filter', () => {
    const h = new SessionHarness();
    h.connect();
    h.take();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a/+', qos: 2 }, { topicFilter: 'b/#', qos: 1 }] });
    expect(h.sent()).toEqual([{ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a/+', qos: 2 }, { topicFilter: 'b/#', qos: 1 }] }]);
    h.receive({ type: 'suback', packetId: 1, reasonCodes: [1, 1] });
    expect(h.settlements()).toEqual([{ type: 'settle', operation: 'subscribe', id: 1, result: { granted: [1, 1], reasonCodes: [1, 1] } }]);
    expect(h.session.ids.has(1)).toBe(false);
  });

  test('a failure code for any filter rejects, listing the filters refused', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'ok', qos: 1 }, { topicFilter: 'secret', qos: 1 }] });
    h.receive({ type: 'suback', packetId: 1, reasonCodes: [1, 0x87] });
    expect(h.settlements()[0]).toMatchObject({
      error: { code: 'ERR_SUBSCRIBE_REJECTED', failures: [{ topicFilter: 'secret', reasonCode: 0x87 }] },
    });
  });

  test('a SUBACK that does not answer every filter rejects the subscribe with ERR_PROTOCOL and closes the connection', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    h.take();
    const actions = h.receive({ type: 'suback', packetId: 1, reasonCodes: [1, 1, 1] });
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x82 })]);
    expect(h.settlements()).toEqual([expect.objectContaining({ operation: 'subscribe', id: 1, error: expect.objectContaining({ code: 'ERR_PROTOCOL' }) })]);
  });

  test('an UNSUBACK (5.0) that does not answer every filter rejects the unsubscribe with ERR_PROTOCOL and closes the connection', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'unsubscribeRequested', id: 1, topicFilters: ['a', 'b'] });
    h.take();
    const actions = h.receive({ type: 'unsuback', packetId: 1, reasonCodes: [0] });
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x82 })]);
    expect(h.settlements()).toEqual([expect.objectContaining({ operation: 'unsubscribe', id: 1, error: expect.objectContaining({ code: 'ERR_PROTOCOL' }) })]);
  });

  test('while offline it waits, and goes out on the next connection', () => {
    const h = new SessionHarness();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    h.take();
    h.connect();
    expect(trace(h.sent())).toEqual(['CONNECT', 'SUBSCRIBE 1']);
  });

  test('cut off by a lost connection before SUBACK, it goes again on the next one', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    h.disconnect();
    h.take();
    h.connect({ sessionPresent: true });
    const [connect, again] = h.sent();
    expect([connect?.type, again?.type]).toEqual(['connect', 'subscribe']);
    h.receive({ type: 'suback', packetId: (again as { packetId: number }).packetId, reasonCodes: [1] });
    expect(h.settlements()).toHaveLength(1);
  });

  test('when the broker has no session, everything it granted is subscribed again, with its options', () => {
    const h = new SessionHarness({ clean: true });
    h.connect();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 2, noLocal: true }] });
    h.receive({ type: 'suback', packetId: 1, reasonCodes: [2] });
    h.handle({ type: 'subscribeRequested', id: 2, subscriptions: [{ topicFilter: 'b', qos: 1 }] });
    h.receive({ type: 'suback', packetId: 2, reasonCodes: [1] });
    h.disconnect();
    h.take();
    h.connect();
    const resubscribe = h.sent().filter((p) => p.type === 'subscribe');
    expect(resubscribe.flatMap((p) => (p.type === 'subscribe' ? p.subscriptions : []))).toEqual([
      { topicFilter: 'a', qos: 2, noLocal: true },
      { topicFilter: 'b', qos: 1 },
    ]);
    h.receive({ type: 'suback', packetId: 1, reasonCodes: [2, 1] });
    expect(h.settlements()).toHaveLength(2); // our own resubscription settles nobody's promise
  });

  test('with the session present, nothing is subscribed again', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    h.receive({ type: 'suback', packetId: 1, reasonCodes: [1] });
    h.disconnect();
    h.take();
    h.connect({ sessionPresent: true });
    expect(trace(h.sent())).toEqual(['CONNECT']);
  });

  test('an unsubscribed filter is not subscribed again after a lost session', () => {
    const h = new SessionHarness({ clean: true });
    h.connect();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    h.receive({ type: 'suback', packetId: 1, reasonCodes: [1] });
    h.take();
    h.handle({ type: 'unsubscribeRequested', id: 2, topicFilters: ['a'] });
    const [unsubscribe] = h.sent();
    h.receive({ type: 'unsuback', packetId: (unsubscribe as { packetId: number }).packetId, reasonCodes: [0] });
    expect(h.settlements()[1]).toEqual({ type: 'settle', operation: 'unsubscribe', id: 2, result: { reasonCodes: [0] } });
    h.disconnect();
    h.take();
    h.connect();
    expect(trace(h.sent())).toEqual(['CONNECT']);
  });

  test('a SUBACK that does not answer every filter breaks the protocol', () => {
    const h = new SessionHarness();
    h.connect();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }, { topicFilter: 'b', qos: 1 }] });
    const actions = h.receive({ type: 'suback', packetId: 1, reasonCodes: [1] });
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL' })]);
  });

  test('no SUBACK within ackTimeoutMs: reconnect, since SUBSCRIBE is never resent in-session', () => {
    const h = new SessionHarness({ protocolVersion: 4, ackTimeoutMs: 1_000 });
    h.connect();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
    const actions = h.advance(1_000);
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_CONNECTION' })]);
  });
});

describe('what 3.1.1 cannot carry', () => {
  test('an UNSUBSCRIBE with properties is refused at once, not sent to fail at the encoder and again after every reconnect', () => {
    const h = new SessionHarness({ protocolVersion: 4 });
    h.connect();
    h.take();
    h.handle({ type: 'unsubscribeRequested', id: 1, topicFilters: ['a'], properties: { userProperties: [['k', 'v']] } });
    expect(h.sent()).toEqual([]);
    expect(h.settlements()).toEqual([expect.objectContaining({ operation: 'unsubscribe', id: 1, error: expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) })]);
  });

  test('a SUBSCRIBE with 5.0 options is refused at once; one with them at their defaults goes', () => {
    const h = new SessionHarness({ protocolVersion: 4 });
    h.connect();
    h.take();
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1, retainAsPublished: true }] });
    h.handle({ type: 'subscribeRequested', id: 2, subscriptions: [{ topicFilter: 'b', qos: 1, noLocal: false }] });
    expect(trace(h.sent())).toEqual(['SUBSCRIBE 1']);
    expect(h.settlements()).toEqual([expect.objectContaining({ operation: 'subscribe', id: 1, error: expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) })]);
  });
});

test('after a fallback to 3.1.1, a subscription made with 5.0 options is not subscribed again, with a warning; the others are', () => {
  const h = new SessionHarness({ protocolVersion: 5, clean: false });
  h.connect();
  h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1, noLocal: true }] });
  h.handle({ type: 'subscribeRequested', id: 2, subscriptions: [{ topicFilter: 'b', qos: 1 }] });
  h.receive({ type: 'suback', packetId: 1, reasonCodes: [1] });
  h.receive({ type: 'suback', packetId: 2, reasonCodes: [1] });
  h.disconnect();
  h.handle({ type: 'connectionOpened' });
  h.receive({ type: 'connack', sessionPresent: false, reasonCode: 0x84 });
  h.disconnect();
  h.take();
  const actions = h.connect({ sessionPresent: false });
  expect(h.sent()).toEqual([
    expect.objectContaining({ type: 'connect', protocolVersion: 4 }),
    { type: 'subscribe', packetId: 3, subscriptions: [{ topicFilter: 'b', qos: 1 }] },
  ]);
  expect(h.events(actions)).toContainEqual({ name: 'warning', error: expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('"a" is not subscribed again') }) });
});

describe("the broker's Maximum Packet Size [MQTT-3.2.2-15]", () => {
  test('a SUBSCRIBE larger than it rejects with the error an oversized PUBLISH gets, is not sent and frees its id; one at the limit goes', () => {
    const h = new SessionHarness();
    h.connect({ properties: { maximumPacketSize: 30 } });
    h.take();
    // header 2 + packet id 2 + property length 1 + filter (2 + length) + options 1: 22 characters make 30 bytes
    h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'x'.repeat(23), qos: 1 }] });
    h.handle({ type: 'subscribeRequested', id: 2, subscriptions: [{ topicFilter: 'x'.repeat(22), qos: 1 }] });
    expect(trace(h.sent())).toEqual(['SUBSCRIBE 2']); // id 1 was taken, then given back
    expect(h.session.ids.has(1)).toBe(false);
    expect(h.settlements()).toEqual([
      expect.objectContaining({ operation: 'subscribe', id: 1, error: expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/31 bytes.*30 at most/) }) }),
    ]);
  });

  test('an UNSUBSCRIBE larger than it rejects and is not sent; one at the limit goes', () => {
    const h = new SessionHarness();
    h.connect({ properties: { maximumPacketSize: 30 } });
    h.take();
    // header 2 + packet id 2 + property length 1 + filter (2 + length): 23 characters make 30 bytes
    h.handle({ type: 'unsubscribeRequested', id: 1, topicFilters: ['y'.repeat(24)] });
    h.handle({ type: 'unsubscribeRequested', id: 2, topicFilters: ['y'.repeat(23)] });
    expect(trace(h.sent())).toEqual(['UNSUBSCRIBE 2']);
    expect(h.settlements()).toEqual([expect.objectContaining({ operation: 'unsubscribe', id: 1, error: expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) })]);
  });
});
