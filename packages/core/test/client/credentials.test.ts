// Credentials per attempt (`beforeConnect`) and the client's half of enhanced authentication
// (`authenticate`, `reauthenticate()`), with a scripted broker and a fake clock.
import { afterEach, describe, expect, test } from 'vitest';
import type { ClientEvents, Packet } from '@courier/core';
import { flush } from '@courier/core/testing';
import { ScriptedBroker } from './scripted-broker';
import { endClients, record, setup } from './scripted-client';

afterEach(endClients);

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));
const passwords = (broker: ScriptedBroker) => broker.sent('connect').map((connect) => text(connect.password));

describe('beforeConnect: credentials fetched for every attempt', () => {
  test('is asked before every attempt, and each CONNECT carries its answer: a fresh token on each reconnect', async () => {
    const attempts: unknown[] = [];
    const { broker, clock, client } = setup({
      username: 'configured',
      beforeConnect: async (attempt) => {
        attempts.push(attempt);
        return { password: `token-${attempt.attempt}` };
      },
    });
    await client.whenConnected();
    for (let i = 0; i < 3; i++) {
      broker.drop();
      await flush();
      await clock.advance(30_000);
      await client.whenConnected();
    }
    expect(passwords(broker)).toEqual(['token-1', 'token-2', 'token-3', 'token-4']);
    // What the hook leaves out stays as configured.
    expect(broker.sent('connect').map((c) => c.username)).toEqual(['configured', 'configured', 'configured', 'configured']);
    expect(attempts[0]).toEqual({ attempt: 1, brokerIndex: 0 });
  });

  test('with the hook, a refusal of the credentials is retried after the backoff with the next answer (5.0: 0x86, 0x87)', async () => {
    for (const code of [0x86, 0x87]) {
      let n = 0;
      const { broker, clock, client } = setup({ beforeConnect: () => ({ password: `token-${++n}` }) });
      broker.script = (packet) => (packet.type === 'connect' ? [{ type: 'connack', sessionPresent: false, reasonCode: text(packet.password) === 'token-3' ? 0 : code }] : undefined);
      const errors = record(client, 'error');
      const reconnecting = record(client, 'reconnecting');
      await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: code });
      await clock.advance(500);
      await clock.advance(1_000);
      await client.whenConnected();
      expect(passwords(broker)).toEqual(['token-1', 'token-2', 'token-3']);
      expect(reconnecting.map((r) => r.delayMs)).toEqual([500, 1_000]);
      expect(errors.map((e) => e.code)).toEqual(['ERR_CONNECT_REFUSED', 'ERR_CONNECT_REFUSED']);
    }
  });

  test('with the hook, 3.1.1 return codes 4 and 5 are retried too', async () => {
    for (const code of [4, 5]) {
      let n = 0;
      const { broker, clock, client } = setup({ protocolVersion: 4, beforeConnect: () => ({ username: 'device', password: `token-${++n}` }) });
      broker.script = (packet) => (packet.type === 'connect' ? [{ type: 'connack', sessionPresent: false, reasonCode: n === 1 ? code : 0 }] : undefined);
      await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: code });
      await clock.advance(500);
      await client.whenConnected();
      expect(passwords(broker)).toEqual(['token-1', 'token-2']);
    }
  });

  test('without the hook, a refusal of the credentials stays final', async () => {
    const { broker, clock, client } = setup({ password: 'wrong' });
    broker.connackCode = 0x86;
    await expect(client.whenConnected()).rejects.toMatchObject({ reasonCode: 0x86 });
    await clock.advance(60_000);
    expect(broker.connections).toBe(1);
  });

  test('a hook that throws or rejects fails that attempt with an AuthenticationError, reported on disconnect and reconnecting, and is asked again after the backoff', async () => {
    let n = 0;
    const { broker, clock, client } = setup({
      beforeConnect: () => {
        n++;
        if (n === 1) throw new Error('token service down');
        if (n === 2) return Promise.reject(new Error('still down'));
        return { password: 'secret-token' };
      },
    });
    const disconnects = record(client, 'disconnect');
    const reconnecting = record(client, 'reconnecting');
    await flush();
    await clock.advance(500);
    await clock.advance(1_000);
    await client.whenConnected();
    expect(broker.connections).toBe(1);
    expect(disconnects.map((d) => d.error?.code)).toEqual(['ERR_AUTHENTICATION', 'ERR_AUTHENTICATION']);
    expect(disconnects.map((d) => (d.error?.cause as Error).message)).toEqual(['token service down', 'still down']);
    expect(reconnecting.map((r) => [r.delayMs, r.error?.code])).toEqual([
      [500, 'ERR_AUTHENTICATION'],
      [1_000, 'ERR_AUTHENTICATION'],
    ]);
  });

  test('a hook that answers nothing leaves the configured credentials, and still makes a refusal of them retried', async () => {
    const { broker, clock, client } = setup({ username: 'u', password: 'configured', beforeConnect: () => undefined });
    broker.connackCode = 0x86;
    await expect(client.whenConnected()).rejects.toMatchObject({ reasonCode: 0x86 });
    broker.connackCode = 0;
    await clock.advance(500);
    await client.whenConnected();
    expect(passwords(broker)).toEqual(['configured', 'configured']);
  });

  test('a hook that never answers is abandoned at the connect timeout', async () => {
    const { broker, clock, client } = setup({ connectTimeoutMs: 2_000, beforeConnect: () => new Promise(() => undefined) });
    const failed = client.whenConnected();
    await clock.advance(2_000);
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    expect(broker.connections).toBe(0);
  });

  test('an answer that is not credentials fails the attempt without repeating what it held', async () => {
    const answers = [{ password: 12345 as unknown as string }, { password: 'secret-without-user' }];
    for (const [i, answer] of answers.entries()) {
      const { client } = setup({ protocolVersion: i === 0 ? 5 : 4, beforeConnect: () => answer });
      const disconnect = new Promise<ClientEvents['disconnect']>((resolve) => client.once('disconnect', resolve));
      const { error } = await disconnect;
      expect(error).toMatchObject({ code: 'ERR_AUTHENTICATION' });
      expect(error!.message).not.toMatch(/12345|secret/);
    }
  });

  test('an answered url needs a client made from URLs; with one it is where the attempt goes', async () => {
    const plain = setup({ beforeConnect: () => ({ url: 'mqtt://127.0.0.1:1/?token=secret' }) });
    const { error } = await new Promise<ClientEvents['disconnect']>((resolve) => plain.client.once('disconnect', resolve));
    expect(error).toMatchObject({ code: 'ERR_AUTHENTICATION' });
    expect(error!.message).not.toContain('secret');

    const other = new ScriptedBroker();
    const asked: string[] = [];
    const { broker, client } = setup({
      beforeConnect: () => ({ url: 'signed://elsewhere?token=secret' }),
      transportFor: (url) => {
        asked.push(url);
        return other.transport;
      },
    });
    const info = await client.whenConnected();
    expect(asked).toEqual(['signed://elsewhere?token=secret']);
    expect(other.connections).toBe(1);
    expect(broker.connections).toBe(0);
    expect(JSON.stringify(info)).not.toContain('secret');
  });
});

describe('enhanced authentication through the client', () => {
  const METHOD = 'TOKEN-CHALLENGE';
  const bytes = (s: string) => new TextEncoder().encode(s);

  /** A broker that challenges once and accepts the answer "ok:<challenge>", sending final data "fin". */
  function challenging(broker: ScriptedBroker): void {
    broker.script = (packet) => {
      if (packet.type === 'connect') return [{ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: bytes('nonce') } }];
      if (packet.type === 'auth' && packet.reasonCode === 0x19) return [{ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: bytes('nonce2') } }];
      if (packet.type === 'auth') {
        const ok = text(packet.properties?.authenticationData)?.startsWith('ok:');
        const reauth = broker.sent('auth').some((a) => a.reasonCode === 0x19);
        if (!ok) return [reauth ? { type: 'disconnect', reasonCode: 0x87 } : { type: 'connack', sessionPresent: false, reasonCode: 0x87 }];
        const done = { authenticationMethod: METHOD, authenticationData: bytes('fin') };
        return [reauth ? { type: 'auth', reasonCode: 0, properties: done } : { type: 'connack', sessionPresent: false, reasonCode: 0, properties: done }] as Packet[];
      }
      return undefined;
    };
  }

  test('drives the exchange with the handler, verifies the final data, and re-authenticates', async () => {
    const steps: string[] = [];
    const { broker, client } = setup({
      authenticationMethod: METHOD,
      authenticate: async (data, { step, reauthentication }) => {
        steps.push(`${reauthentication ? 're-' : ''}${step}:${text(data) ?? ''}`);
        if (step === 'start') return bytes('hello');
        if (step === 'continue') return bytes(`ok:${text(data)}`);
        return undefined;
      },
    });
    challenging(broker);
    await client.whenConnected();
    expect(broker.sent('connect')[0]!.properties).toMatchObject({ authenticationMethod: METHOD, authenticationData: bytes('hello') });
    await client.reauthenticate();
    expect(steps).toEqual(['start:', 'continue:nonce', 'success:fin', 're-start:', 're-continue:nonce2', 're-success:fin']);
    expect(client.connected).toBe(true);
  });

  test('a handler that refuses the final data never lets the connection count: AuthenticationError, retried after the backoff', async () => {
    const { broker, clock, client } = setup({
      authenticationMethod: METHOD,
      authenticate: (data, { step }) => {
        if (step === 'success') throw new Error('server signature does not verify');
        return step === 'continue' ? bytes(`ok:${text(data)}`) : undefined;
      },
    });
    challenging(broker);
    const connects = record(client, 'connect');
    await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_AUTHENTICATION' });
    expect(connects).toEqual([]);
    await clock.advance(500);
    expect(broker.connections).toBe(2);
  });

  test('a refused re-authentication rejects reauthenticate() and the connection closes', async () => {
    let reauthenticating = false;
    const { broker, client } = setup({
      authenticationMethod: METHOD,
      authenticate: (data, { step, reauthentication }) => (step === 'continue' ? bytes(reauthentication ? 'wrong' : `ok:${text(data)}`) : undefined),
    });
    challenging(broker);
    await client.whenConnected();
    const disconnected = new Promise<ClientEvents['disconnect']>((resolve) => client.once('disconnect', resolve));
    reauthenticating = true;
    await expect(client.reauthenticate()).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    expect((await disconnected).reasonCode).toBe(0x87);
    expect(reauthenticating).toBe(true);
  });

  test('the connect timeout covers the whole exchange: a handler that never answers the challenge fails the attempt', async () => {
    const { broker, clock, client } = setup({
      connectTimeoutMs: 2_000,
      authenticationMethod: METHOD,
      authenticate: (_data, { step }) => (step === 'start' ? bytes('hello') : new Promise<undefined>(() => undefined)),
    });
    challenging(broker);
    const attempt = client.whenConnected();
    await flush();
    expect(broker.sent('connect')).toHaveLength(1);
    await clock.advance(2_000);
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_CONNECTION', message: 'no CONNACK within 2000 ms' });
  });

  test('options are checked: a method needs a handler and 5.0; properties do not carry authentication; reauthenticate() needs a method', async () => {
    const handler = () => undefined;
    const wrong = [
      { authenticationMethod: METHOD },
      { authenticate: handler },
      { authenticationMethod: '', authenticate: handler },
      { authenticationMethod: METHOD, authenticate: handler, protocolVersion: 4 as const },
      { properties: { authenticationMethod: METHOD } },
      { authenticationMethod: METHOD, authenticate: handler, properties: { authenticationData: bytes('x') } },
    ];
    for (const options of wrong) expect(() => setup(options)).toThrow('authenticationMethod (a string) and authenticate go together, with MQTT 5.0');
    const { client } = setup();
    await client.whenConnected();
    await expect(client.reauthenticate()).rejects.toMatchObject({ code: 'ERR_AUTHENTICATION' });
  });
});
