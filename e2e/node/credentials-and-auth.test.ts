// Credentials and authentication end to end, over real TCP: a token fetched before every attempt
// (beforeConnect) against the reference broker accepting each token once, and 5.0 enhanced
// authentication with SCRAM-SHA-256 (the client's scramSha256 against the broker's authenticator),
// re-authentication included; a broker that sends AUTH unasked; Mosquitto, which has no SCRAM.
import { afterEach, describe, expect, test } from 'vitest';
import { type Broker, createBroker, scramSha256Authenticator, scramUsers } from '@courier/broker';
import { connect, createClient, type MqttClient, scramSha256 } from '@courier/node';
import { freePort } from '../support/free-port';
import { HostileBroker } from '../support/hostile-broker';
import { startMosquitto } from '../support/mosquitto';

const brokers: { close(): Promise<void> }[] = [];
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end({ force: true })));
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

async function broker(options: Parameters<typeof createBroker>[0] = {}): Promise<Broker> {
  const started = await createBroker({ port: 0, ...options });
  brokers.push(started);
  return started;
}

function track(client: MqttClient): MqttClient {
  clients.push(client);
  return client;
}

const nextEvent = <T>(client: MqttClient, event: 'connect' | 'error' | 'disconnect'): Promise<T> =>
  new Promise((resolve) => client.once(event, resolve as never));

describe('beforeConnect: a fresh token for every attempt', () => {
  test('three reconnects, each with a token the broker has not seen: a broker accepting each token once lets every one in', async () => {
    const used = new Set<string>();
    const accepted: string[] = [];
    const server = await broker({
      authenticate: ({ password }) => {
        const token = new TextDecoder().decode(password);
        if (!token.startsWith('token-') || used.has(token)) return 0x86;
        used.add(token);
        accepted.push(token);
        return true;
      },
    });
    let issued = 0;
    const client = track(
      createClient(`mqtt://127.0.0.1:${server.port}`, {
        clientId: 'refreshing',
        username: 'device-1',
        reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
        // A token service: a new token every time it is asked.
        beforeConnect: async () => ({ password: `token-${++issued}` }),
      }),
    );
    await client.whenConnected();
    for (let i = 0; i < 3; i++) {
      const reconnected = nextEvent(client, 'connect');
      expect(server.dropClient('refreshing')).toBe(true);
      await reconnected;
    }
    expect(accepted).toEqual(['token-1', 'token-2', 'token-3', 'token-4']);
  });

  test('a refused token is retried with the next one; without the hook the same refusal is final', async () => {
    const server = await broker({ authenticate: ({ password }) => new TextDecoder().decode(password) === 'good' || 0x86 });
    const answers = ['stale', 'good'];
    const client = track(
      createClient(`mqtt://127.0.0.1:${server.port}`, { reconnect: { initialDelayMs: 10, maxDelayMs: 50 }, beforeConnect: () => ({ password: answers.shift() ?? 'good' }) }),
    );
    const refusal = nextEvent<{ code: string; reasonCode: number }>(client, 'error');
    await client.whenConnected().catch(() => undefined);
    expect(await refusal).toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: 0x86 });
    await nextEvent(client, 'connect');

    await expect(connect(`mqtt://127.0.0.1:${server.port}`, { password: 'stale', reconnect: { initialDelayMs: 10 } })).rejects.toMatchObject({ reasonCode: 0x86 });
  });
});

test('a url answered by beforeConnect is where the attempt goes (a pre-signed WebSocket URL), and events name the broker as configured', async () => {
  const server = await broker({ wsPort: 0 });
  const configured = `ws://127.0.0.1:${await freePort()}/mqtt`;
  const client = track(
    createClient(configured, { beforeConnect: () => ({ url: `ws://127.0.0.1:${server.wsPort}/mqtt?X-Amz-Signature=secret-signature` }) }),
  );
  const info = await client.whenConnected();
  expect(info.url).toBe(configured);
  expect(JSON.stringify(info)).not.toContain('secret-signature');
});

describe('enhanced authentication with SCRAM-SHA-256 [MQTT-4.12]', () => {
  const users = scramUsers({ alice: 'correct horse battery staple' });
  const scramBroker = () => broker({ enhancedAuthenticators: { 'SCRAM-SHA-256': scramSha256Authenticator(users) } });

  test('connects with the right password, publishes, and re-authenticates during the session [MQTT-4.12.1]', async () => {
    const server = await scramBroker();
    const client = track(await connect(`mqtt://127.0.0.1:${server.port}`, { ...scramSha256({ username: 'alice', password: 'correct horse battery staple' }) }));
    expect((await client.whenConnected()).connack.properties?.authenticationMethod).toBe('SCRAM-SHA-256');
    await client.publish('a/b', 'before', { qos: 1 });
    await client.reauthenticate();
    await client.reauthenticate();
    await client.publish('a/b', 'after', { qos: 1 });
    expect(client.connected).toBe(true);
  });

  test('a wrong password is a typed refusal (0x86) and final: no retry', async () => {
    const server = await scramBroker();
    const attempts: string[] = [];
    server.tap((event) => {
      if (event.direction === 'in' && event.packet.type === 'connect') attempts.push(event.clientId);
    });
    const client = track(
      createClient(`mqtt://127.0.0.1:${server.port}`, { reconnect: { initialDelayMs: 10, maxDelayMs: 20 }, ...scramSha256({ username: 'alice', password: 'wrong' }) }),
    );
    await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: 0x86 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attempts).toHaveLength(1);
  });

  test('a broker that sends AUTH when none was asked gets a typed protocol error, and the client does not hang', async () => {
    // At connect, and once connected.
    const hostile = await HostileBroker.start((peer) => {
      void peer.next('connect').then(() => {
        if (peer.index === 1) peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0 });
        peer.send({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'SCRAM-SHA-256' } });
      });
    });
    brokers.push(hostile);
    const client = track(createClient(hostile.url, { connectTimeoutMs: 5_000, reconnect: { initialDelayMs: 10 } }));
    const disconnects: unknown[] = [];
    client.on('disconnect', ({ error }) => disconnects.push(error));
    await expect(client.whenConnected()).rejects.toMatchObject({ code: 'ERR_PROTOCOL', reasonCode: 0x82, message: 'the broker sent AUTH before CONNACK' });
    await expect.poll(() => disconnects.length).toBeGreaterThanOrEqual(2);
    expect(disconnects[1]).toMatchObject({ code: 'ERR_PROTOCOL', reasonCode: 0x82, message: 'the broker sent AUTH, but the client set no authentication method' });
    const [, second] = await Promise.all([hostile.connection(0), hostile.connection(1)]);
    expect(second.received.map((p) => p.type)).toContain('disconnect'); // [MQTT-4.13.1-1]: told why (0x82)
  });

  test('Mosquitto (no SCRAM built in) refuses the method with 0x8C Bad authentication method: typed and final', async () => {
    const mosquitto = await startMosquitto();
    brokers.push({ close: () => mosquitto.stop() });
    await expect(
      connect(`mqtt://127.0.0.1:${mosquitto.port}`, { ...scramSha256({ username: 'alice', password: 'x' }) }),
    ).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: 0x8c });
  });
});
