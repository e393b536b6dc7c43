// Enhanced authentication [MQTT-4.12] in the broker: a pluggable conversation per connection, and
// SCRAM-SHA-256 (RFC 7677) as one. The client side is a raw connection driven step by step by the
// client's own SCRAM helper (`scramSha256` of @courier/core), so every AUTH on the wire is seen.
import { describe, expect, it } from 'vitest';
import { type Packet, scramSha256 } from '@courier/core';
import {
  type AuthConversation,
  formatScramUser,
  parseScramUsers,
  scramSha256Authenticator,
  scramUser,
  scramUsers,
} from '@courier/broker';
import { ScramConversation } from '../src/scram-sha256';
import { Fixture, logOf, type RawClient, text } from './helpers';

const fixture = new Fixture();
const METHOD = 'SCRAM-SHA-256';

function scramBroker(connectTimeoutMs?: number) {
  return fixture.broker({
    enhancedAuthenticators: { [METHOD]: scramSha256Authenticator(scramUsers({ alice: 'correct horse', 'a,b=c': 'x' })) },
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
  });
}

/** CONNECT with SCRAM's client-first, answer the challenge; resolves with the CONNACK, verified when it succeeds. */
async function scramConnect(raw: RawClient, username: string, password: string): Promise<Packet & { type: 'connack' }> {
  const { authenticate } = scramSha256({ username, password });
  const first = (await authenticate(undefined, { step: 'start', reauthentication: false })) as Uint8Array;
  raw.send({ type: 'connect', protocolVersion: 5, clientId: 'c1', clean: true, keepAlive: 0, properties: { authenticationMethod: METHOD, authenticationData: first } });
  const challenge = await raw.next('auth');
  expect(challenge.reasonCode).toBe(0x18);
  expect(challenge.properties?.authenticationMethod).toBe(METHOD); // [MQTT-4.12.0-5]
  const final = (await authenticate(challenge.properties!.authenticationData, { step: 'continue', reauthentication: false })) as Uint8Array;
  raw.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: final } });
  const connack = await raw.next('connack');
  if (connack.reasonCode === 0) await authenticate(connack.properties?.authenticationData, { step: 'success', reasonCode: 0, reauthentication: false } as never);
  return connack;
}

describe('SCRAM-SHA-256 at connect', () => {
  it('[MQTT-4.12.0-2] challenges with AUTH 0x18 and accepts with a CONNACK that carries the method and a server signature the client verifies', async () => {
    const broker = await scramBroker();
    const raw = await fixture.raw(broker, 5);
    const connack = await scramConnect(raw, 'alice', 'correct horse');
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.authenticationMethod).toBe(METHOD);
    expect(new TextDecoder().decode(connack.properties?.authenticationData)).toMatch(/^v=/);
    await logOf(broker).waitFor(/^c1 connected/);
  });

  it('escapes user names as RFC 5802 asks (a comma and an equals sign)', async () => {
    const raw = await fixture.raw(await scramBroker(), 5);
    expect((await scramConnect(raw, 'a,b=c', 'x')).reasonCode).toBe(0);
  });

  it('[MQTT-4.12.0-4] a wrong password and an unknown user are both refused with 0x86, and the connection closes', async () => {
    const broker = await scramBroker();
    for (const [username, password] of [['alice', 'wrong'], ['nobody', 'correct horse']] as const) {
      const raw = await fixture.raw(broker, 5);
      expect((await scramConnect(raw, username, password)).reasonCode).toBe(0x86);
      await raw.waitClosed();
    }
    expect(logOf(broker).lines.join('\n')).not.toMatch(/correct horse|wrong/);
  });

  it('the authorize hooks see the user SCRAM proved, though CONNECT named none', async () => {
    const seen: (string | undefined)[] = [];
    const broker = await fixture.broker({
      enhancedAuthenticators: { [METHOD]: scramSha256Authenticator(scramUsers({ alice: 'correct horse' })) },
      authorizeSubscribe: (client) => {
        seen.push(client.username);
        return true;
      },
    });
    const raw = await fixture.raw(broker, 5);
    await scramConnect(raw, 'alice', 'correct horse');
    raw.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a/b', qos: 1 }] });
    expect((await raw.next('suback')).reasonCodes).toEqual([1]);
    expect(seen).toEqual(['alice']);
  });

  it('[MQTT-4.12.0-1] a method it has no authenticator for is refused with 0x8C', async () => {
    const raw = await fixture.raw(await scramBroker(), 5);
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'c1', clean: true, keepAlive: 0, properties: { authenticationMethod: 'GS2-KRB5' } });
    expect((await raw.next('connack')).reasonCode).toBe(0x8c);
  });

  it('[MQTT-4.12.0-5] an AUTH with another method closes the connection', async () => {
    const raw = await fixture.raw(await scramBroker(), 5);
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'c1', clean: true, keepAlive: 0, properties: { authenticationMethod: METHOD, authenticationData: text('n,,n=alice,r=abc') } });
    await raw.next('auth');
    raw.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'OTHER' } });
    await raw.waitClosed();
  });

  it('the connect timeout bounds the exchange: a client that never answers the challenge is closed', async () => {
    const broker = await scramBroker(200);
    const raw = await fixture.raw(broker, 5);
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'slow', clean: true, keepAlive: 0, properties: { authenticationMethod: METHOD, authenticationData: text('n,,n=alice,r=abc') } });
    await raw.next('auth');
    await raw.waitClosed();
    await logOf(broker).waitFor(/enhanced authentication did not finish in 200 ms/);
  });

  it('[MQTT-4.12.0-7] AUTH from a client that named no method is a protocol error', async () => {
    const broker = await scramBroker();
    const raw = await fixture.raw(broker, 5);
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'c1', clean: true, keepAlive: 0 });
    await raw.next('connack');
    raw.send({ type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: METHOD } });
    expect((await raw.next('disconnect')).reasonCode).toBe(0x82);
  });
});

describe('re-authentication [MQTT-4.12.1]', () => {
  async function reauthenticate(raw: RawClient, username: string, password: string) {
    const { authenticate } = scramSha256({ username, password });
    const first = (await authenticate(undefined, { step: 'start', reauthentication: true })) as Uint8Array;
    raw.send({ type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: METHOD, authenticationData: first } });
    const challenge = await raw.next('auth');
    const final = (await authenticate(challenge.properties!.authenticationData, { step: 'continue', reauthentication: true })) as Uint8Array;
    raw.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: final } });
    return { authenticate };
  }

  it('[MQTT-4.12.1-1] AUTH 0x19 runs the exchange again and ends with AUTH 0x00 and a server signature', async () => {
    const broker = await scramBroker();
    const raw = await fixture.raw(broker, 5);
    await scramConnect(raw, 'alice', 'correct horse');
    const { authenticate } = await reauthenticate(raw, 'alice', 'correct horse');
    const done = await raw.next('auth');
    expect(done.reasonCode).toBe(0);
    await authenticate(done.properties?.authenticationData, { step: 'success', reauthentication: true });
    await logOf(broker).waitFor(/^c1 re-authenticated/);
  });

  it('[MQTT-4.12.1-2] a failed re-authentication ends with DISCONNECT and a closed connection; so does another user', async () => {
    const broker = await scramBroker();
    for (const [username, password, wrongPassword] of [['alice', 'wrong', true], ['a,b=c', 'x', false]] as const) {
      const raw = await fixture.raw(broker, 5);
      await scramConnect(raw, 'alice', 'correct horse');
      if (wrongPassword) await reauthenticate(raw, username, password);
      else {
        const { authenticate } = scramSha256({ username, password });
        raw.send({ type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: METHOD, authenticationData: (await authenticate(undefined, { step: 'start', reauthentication: true })) as Uint8Array } });
      }
      // 0x87 Not authorized: DISCONNECT has no Bad user name or password.
      expect((await raw.next('disconnect')).reasonCode).toBe(0x87);
      await raw.waitClosed();
    }
  });
});

describe('a conversation of your own', () => {
  it('may answer with promises; a throw refuses with 0x87 and is logged', async () => {
    const conversation = (): AuthConversation => ({
      start: async (data) => (new TextDecoder().decode(data) === 'let me in' ? { result: 'success', username: 'token-user' } : { result: 'continue', data: text('prove it') }),
      continue: () => {
        throw new Error('no');
      },
    });
    const broker = await fixture.broker({ enhancedAuthenticators: { TOKEN: conversation } });
    const ok = await fixture.raw(broker, 5);
    ok.send({ type: 'connect', protocolVersion: 5, clientId: 'ok', clean: true, keepAlive: 0, properties: { authenticationMethod: 'TOKEN', authenticationData: text('let me in') } });
    expect(await ok.next('connack')).toMatchObject({ reasonCode: 0, properties: { authenticationMethod: 'TOKEN' } });

    const refused = await fixture.raw(broker, 5);
    refused.send({ type: 'connect', protocolVersion: 5, clientId: 'no', clean: true, keepAlive: 0, properties: { authenticationMethod: 'TOKEN' } });
    await refused.next('auth');
    refused.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'TOKEN' } });
    expect((await refused.next('connack')).reasonCode).toBe(0x87);
    await logOf(broker).waitFor(/TOKEN continue threw/);
  });
});

describe('the RFC 7677 example exchange (user "user", password "pencil")', () => {
  it('answers client-first with its server-first, accepts the client proof and signs with its server signature', async () => {
    const user = scramUser('pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 });
    const conversation = new ScramConversation(scramUsers(new Map([['user', user]])), () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    const decode = (outcome: { data?: Uint8Array }) => new TextDecoder().decode(outcome.data);
    const first = await conversation.start(text('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(first.result).toBe('continue');
    expect(decode(first as { data: Uint8Array })).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    const final = await conversation.continue(text('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='));
    expect(final).toMatchObject({ result: 'success', username: 'user' });
    expect(decode(final as { data: Uint8Array })).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('refuses a proof with one bit changed (0x86), and a final message for another nonce', async () => {
    const user = scramUser('pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 });
    for (const final of [
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      'c=biws,r=rOprNGfwEbeRWgbNEkqOother,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    ]) {
      const conversation = new ScramConversation(scramUsers(new Map([['user', user]])), () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
      await conversation.start(text('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
      expect((await conversation.continue(text(final))).result).toBe('fail');
    }
  });
});

describe('the users file', () => {
  it('reads name:password lines and RFC 5803 entries, skipping comments; a hashed entry authenticates like its password', async () => {
    const hashed = formatScramUser('bob', scramUser('hunter2'));
    const users = parseScramUsers(`# users\nalice:correct horse\n\n${hashed}\n`);
    expect([...users.keys()]).toEqual(['alice', 'bob']);
    const broker = await fixture.broker({ enhancedAuthenticators: { [METHOD]: scramSha256Authenticator(scramUsers(users)) } });
    expect((await scramConnect(await fixture.raw(broker, 5), 'bob', 'hunter2')).reasonCode).toBe(0);
    expect(() => parseScramUsers('no-colon')).toThrow(/line 1/);
  });
});
