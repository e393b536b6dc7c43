// Enhanced authentication [MQTT-4.12] in the session: the AUTH exchange at connect and on
// re-authentication, driven with scripted inputs and a fake clock. The handler's answers are
// `authAnswered` / `authFailed` inputs, as the client's driver gives them.
import { describe, expect, test } from 'vitest';
import type { Packet } from '@courier/core';
import { AuthenticationError } from '../../src/errors';
import type { SessionAction } from '../../src/session/session-types';
import { SessionHarness, sentPackets } from './session-harness';

const METHOD = 'SCRAM-SHA-256';
const bytes = (text: string) => new TextEncoder().encode(text);

type AuthAction = Extract<SessionAction, { type: 'authenticate' }>;
const asks = (actions: SessionAction[]): AuthAction[] => actions.filter((a): a is AuthAction => a.type === 'authenticate');

function auth(reasonCode: number, data?: string, method = METHOD): Packet {
  const properties: Record<string, unknown> = { authenticationMethod: method };
  if (data !== undefined) properties.authenticationData = bytes(data);
  return { type: 'auth', reasonCode, properties };
}

const connack = (data?: string): Packet => ({
  type: 'connack',
  sessionPresent: false,
  reasonCode: 0,
  properties: data === undefined ? { authenticationMethod: METHOD } : { authenticationMethod: METHOD, authenticationData: bytes(data) },
});

/** A session with a method, connected through a challenge and a verified CONNACK. */
function authenticated(): SessionHarness {
  const h = new SessionHarness({ authenticationMethod: METHOD, clean: true });
  const [start] = asks(h.handle({ type: 'connectionOpened' }));
  h.handle({ type: 'authAnswered', exchange: start!.exchange, data: bytes('client-first') });
  const [verify] = asks(h.receive(connack('server-final')));
  h.handle({ type: 'authAnswered', exchange: verify!.exchange });
  h.take();
  return h;
}

describe('enhanced authentication at connect [MQTT-4.12]', () => {
  test('[MQTT-4.12.0-3] CONNECT waits for the initial data, AUTH 0x18 is answered with 0x18, and the CONNACK is verified before the connection counts', () => {
    const h = new SessionHarness({ authenticationMethod: METHOD, clean: true });
    const opened = h.handle({ type: 'connectionOpened' });
    expect(sentPackets(opened)).toEqual([]);
    const [start] = asks(opened);
    expect(start).toMatchObject({ step: 'start', reauthentication: false });
    expect(start!.data).toBeUndefined();

    const connect = sentPackets(h.handle({ type: 'authAnswered', exchange: start!.exchange, data: bytes('client-first') }));
    expect(connect).toEqual([expect.objectContaining({ type: 'connect', properties: expect.objectContaining({ authenticationMethod: METHOD, authenticationData: bytes('client-first') }) })]);

    const [challenge] = asks(h.receive(auth(0x18, 'server-first')));
    expect(challenge).toMatchObject({ step: 'continue', data: bytes('server-first'), reauthentication: false });
    // [MQTT-4.12.0-3]: the client's answer is AUTH 0x18 with the same method [MQTT-4.12.0-5].
    expect(sentPackets(h.handle({ type: 'authAnswered', exchange: challenge!.exchange, data: bytes('client-final') }))).toEqual([
      { type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: bytes('client-final') } },
    ]);

    const onConnack = h.receive(connack('server-final'));
    const [verify] = asks(onConnack);
    expect(verify).toMatchObject({ step: 'success', data: bytes('server-final') });
    expect(h.events(onConnack)).toEqual([]);
    expect(h.session.connected).toBe(false);
    // What comes after the CONNACK waits for the verification, and is then handled in order.
    h.receive({ type: 'publish', topic: 'a', payload: bytes('x'), qos: 0, retain: false, dup: false });
    expect(h.closes()).toEqual([]);

    const accepted = h.handle({ type: 'authAnswered', exchange: verify!.exchange });
    expect(h.events(accepted).map((e) => e.name)).toEqual(['connected']);
    expect(h.delivered(accepted).map((m) => m.topic)).toEqual(['a']);
    expect(h.session.connected).toBe(true);
  });

  test('a CONNACK whose final data the handler refuses closes the connection with an AuthenticationError; it never connects', () => {
    const h = new SessionHarness({ authenticationMethod: METHOD, clean: true });
    const [start] = asks(h.handle({ type: 'connectionOpened' }));
    h.handle({ type: 'authAnswered', exchange: start!.exchange });
    const [verify] = asks(h.receive(connack('forged')));
    const error = new AuthenticationError('the server signature does not verify');
    const actions = h.handle({ type: 'authFailed', exchange: verify!.exchange, error });
    expect(h.closes(actions)).toEqual([error]);
    expect(h.events().map((e) => e.name)).not.toContain('connected');
  });

  test('the connect timeout covers the whole exchange: a handler that never answers closes the attempt', () => {
    const h = new SessionHarness({ authenticationMethod: METHOD, clean: true, connectTimeoutMs: 5_000 });
    h.handle({ type: 'connectionOpened' });
    expect(h.session.nextDeadline()).toBe(5_000);
    expect(h.advance(4_999)).toEqual([]);
    expect(h.closes(h.advance(1))).toEqual([expect.objectContaining({ code: 'ERR_CONNECTION' })]);
  });

  test('an answer for an exchange of a connection that has gone is ignored', () => {
    const h = new SessionHarness({ authenticationMethod: METHOD, clean: true });
    const [old] = asks(h.handle({ type: 'connectionOpened' }));
    h.disconnect();
    const [fresh] = asks(h.handle({ type: 'connectionOpened' }));
    expect(sentPackets(h.handle({ type: 'authAnswered', exchange: old!.exchange, data: bytes('stale') }))).toEqual([]);
    expect(sentPackets(h.handle({ type: 'authAnswered', exchange: fresh!.exchange, data: bytes('new') }))).toHaveLength(1);
  });

  test('[MQTT-4.12.0-6] AUTH from a broker that was asked for no method is a protocol error (0x82) that says so', () => {
    const connected = new SessionHarness({ clean: true });
    connected.connect();
    const actions = connected.receive(auth(0x18, 'challenge'));
    expect(sentPackets(actions)).toEqual([{ type: 'disconnect', reasonCode: 0x82 }]);
    expect(connected.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x82, message: 'the broker sent AUTH, but the client set no authentication method' })]);
    // Before CONNACK, it is what it is there: a packet before CONNACK.
    const connecting = new SessionHarness({ clean: true });
    connecting.handle({ type: 'connectionOpened' });
    expect(connecting.closes(connecting.receive(auth(0x18, 'challenge')))).toEqual([
      expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x82, message: 'the broker sent AUTH before CONNACK' }),
    ]);
  });

  test('[MQTT-4.12.0-5] AUTH with another method fails the connection with 0x8C', () => {
    const h = new SessionHarness({ authenticationMethod: METHOD, clean: true });
    const [start] = asks(h.handle({ type: 'connectionOpened' }));
    h.handle({ type: 'authAnswered', exchange: start!.exchange });
    const actions = h.receive(auth(0x18, 'x', 'OTHER'));
    expect(h.closes(actions)).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x8c })]);
  });

  test('AUTH while the handler still works, or AUTH success at connect, is a protocol error', () => {
    const early = new SessionHarness({ authenticationMethod: METHOD, clean: true });
    early.handle({ type: 'connectionOpened' });
    expect(early.closes(early.receive(auth(0x18, 'x')))).toEqual([expect.objectContaining({ reasonCode: 0x82 })]);

    const success = new SessionHarness({ authenticationMethod: METHOD, clean: true });
    const [start] = asks(success.handle({ type: 'connectionOpened' }));
    success.handle({ type: 'authAnswered', exchange: start!.exchange });
    expect(success.closes(success.receive(auth(0x00)))).toEqual([expect.objectContaining({ reasonCode: 0x82 })]);
  });

  test('a refusal during the exchange is a refusal like any other (bad credentials: final)', () => {
    const h = new SessionHarness({ authenticationMethod: METHOD, clean: true });
    const [start] = asks(h.handle({ type: 'connectionOpened' }));
    h.handle({ type: 'authAnswered', exchange: start!.exchange });
    const actions = h.receive({ type: 'connack', sessionPresent: false, reasonCode: 0x86 });
    expect(h.events(actions)).toEqual([expect.objectContaining({ name: 'refused', retry: 'never' })]);
  });
});

describe('re-authentication [MQTT-4.12.1]', () => {
  test('[MQTT-4.12.1-1] starts with AUTH 0x19 and the same method, answers challenges with 0x18, and ends on the broker AUTH 0x00 once verified', () => {
    const h = authenticated();
    const [start] = asks(h.handle({ type: 'reauthenticateRequested' }));
    expect(start).toMatchObject({ step: 'start', reauthentication: true });
    expect(sentPackets(h.handle({ type: 'authAnswered', exchange: start!.exchange, data: bytes('first') }))).toEqual([
      { type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: METHOD, authenticationData: bytes('first') } },
    ]);
    // Other traffic goes on meanwhile.
    expect(sentPackets(h.publish(1, 0))).toHaveLength(1);
    const [challenge] = asks(h.receive(auth(0x18, 'server-first')));
    expect(challenge).toMatchObject({ step: 'continue', reauthentication: true });
    expect(sentPackets(h.handle({ type: 'authAnswered', exchange: challenge!.exchange, data: bytes('final') }))).toEqual([
      { type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: bytes('final') } },
    ]);
    const [verify] = asks(h.receive(auth(0x00, 'server-final')));
    expect(verify).toMatchObject({ step: 'success', data: bytes('server-final'), reauthentication: true });
    expect(h.events(h.handle({ type: 'authAnswered', exchange: verify!.exchange }))).toEqual([{ name: 'reauthenticated' }]);
    expect(h.session.connected).toBe(true);
  });

  test('[MQTT-4.12.1-2] a broker that refuses with DISCONNECT ends it with why', () => {
    const h = authenticated();
    const [start] = asks(h.handle({ type: 'reauthenticateRequested' }));
    h.handle({ type: 'authAnswered', exchange: start!.exchange });
    const actions = h.receive({ type: 'disconnect', reasonCode: 0x87 });
    expect(h.events(actions)).toContainEqual({ name: 'reauthenticated', error: expect.objectContaining({ code: 'ERR_CONNECTION', message: expect.stringContaining('Not authorized') }) });
    expect(h.closes(actions)).toHaveLength(1);
  });

  test('a handler that refuses the final data sends DISCONNECT and closes [MQTT-4.12.1-2]', () => {
    const h = authenticated();
    const [start] = asks(h.handle({ type: 'reauthenticateRequested' }));
    h.handle({ type: 'authAnswered', exchange: start!.exchange });
    const [verify] = asks(h.receive(auth(0x00, 'forged')));
    const error = new AuthenticationError('bad signature');
    const actions = h.handle({ type: 'authFailed', exchange: verify!.exchange, error });
    expect(h.events(actions)).toEqual([{ name: 'reauthenticated', error }]);
    expect(sentPackets(actions)).toEqual([{ type: 'disconnect', reasonCode: 0x80 }]);
    expect(h.closes(actions)).toEqual([error]);
  });

  test('a broker that never answers times it out after connectTimeoutMs', () => {
    const h = authenticated();
    const [start] = asks(h.handle({ type: 'reauthenticateRequested' }));
    h.handle({ type: 'authAnswered', exchange: start!.exchange });
    const actions = h.advance(5_000);
    expect(h.events(actions)).toContainEqual({ name: 'reauthenticated', error: expect.objectContaining({ code: 'ERR_CONNECTION' }) });
    expect(h.closes(actions)).toHaveLength(1);
  });

  test('without a connection it fails at once; a lost connection ends one under way', () => {
    const offline = new SessionHarness({ authenticationMethod: METHOD, clean: true });
    expect(offline.events(offline.handle({ type: 'reauthenticateRequested' }))).toEqual([{ name: 'reauthenticated', error: expect.objectContaining({ code: 'ERR_CONNECTION' }) }]);

    const h = authenticated();
    h.handle({ type: 'reauthenticateRequested' });
    expect(h.events(h.disconnect())).toEqual([{ name: 'reauthenticated', error: expect.objectContaining({ code: 'ERR_CONNECTION' }) }]);
  });

  test('AUTH 0x19 from the broker is a protocol error: only a client starts a re-authentication', () => {
    const h = authenticated();
    expect(h.closes(h.receive(auth(0x19)))).toEqual([expect.objectContaining({ code: 'ERR_PROTOCOL', reasonCode: 0x82 })]);
  });
});
