// Passwords and payloads never appear in what a client or the broker reports: error messages,
// causes and properties, lifecycle events, broker log lines. A client is driven through
// refusals, rejections, oversize packets, bad URLs, unreachable brokers and a broker that goes
// away, with marker strings in its password, will and payloads, and everything reported is
// searched for them (as text, and inside any bytes it carries).
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker, scramSha256Authenticator, scramUsers } from '@courier/broker';
import { connect, createClient, type MqttClient, type ProtocolVersion, scramSha256 } from '@courier/node';
import { freePort } from '../support/free-port';

const PASSWORD = 'pw-7c1e-SECRET';
const PAYLOAD = 'pl-93ad-SECRET';
const MARKERS = [PASSWORD, PAYLOAD, encodeURIComponent(PASSWORD)];

const logLines: string[] = [];
let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({
    port: 0,
    wsPort: 0,
    maximumPacketSize: 1024,
    log: (line) => logLines.push(line),
    authenticate: ({ password }) => new TextDecoder().decode(password) === PASSWORD,
    enhancedAuthenticators: { 'SCRAM-SHA-256': scramSha256Authenticator(scramUsers({ alice: PASSWORD })) },
    authorizePublish: (_client, topic) => !topic.startsWith('deny/'),
    authorizeSubscribe: (_client, filter) => !filter.startsWith('deny/'),
  });
});
afterAll(() => broker.close());

/** Every string and every byte array (read as text) reachable from `value`. */
function texts(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (value instanceof Uint8Array) return [Buffer.from(value).toString('latin1')];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const found: string[] = [inspect(value, { depth: 8 })];
  if (value instanceof Error) found.push(value.message, value.stack ?? '', ...texts(value.cause, seen));
  for (const key of Reflect.ownKeys(value)) found.push(...texts((value as Record<PropertyKey, unknown>)[key], seen));
  return found;
}

function leaks(reported: unknown[]): string[] {
  return reported.flatMap((value) => texts(value)).filter((text) => MARKERS.some((marker) => text.includes(marker)));
}

/** Records every event but 'message' (which carries payloads by design). */
function watch(client: MqttClient, into: unknown[]): MqttClient {
  for (const event of ['connect', 'disconnect', 'reconnecting', 'sessionLost', 'error', 'warning'] as const) {
    client.on(event, (info: unknown) => into.push({ event, info }));
  }
  return client;
}

async function settle(promise: Promise<unknown>, into: unknown[]): Promise<void> {
  try {
    into.push(await promise);
  } catch (error) {
    into.push(error);
  }
}

describe.each([
  ['tcp', 4],
  ['ws', 5],
] as const)('over %s, MQTT %s', (transport, protocolVersion: ProtocolVersion) => {
  const base = () => (transport === 'tcp' ? `mqtt://127.0.0.1:${broker.port}` : `ws://127.0.0.1:${broker.wsPort}/mqtt`);
  const withCredentials = (password: string) => base().replace('//', `//alice:${encodeURIComponent(password)}@`);

  test('refusals, rejections, oversize packets, bad URLs and lost connections report no password and no payload', async () => {
    const reported: unknown[] = [];
    const tag = `${transport}-${protocolVersion}`;
    const options = { protocolVersion, reconnect: false as const, connectTimeoutMs: 5_000 };

    // Refused: the wrong password, in the URL and in the options.
    await settle(connect(withCredentials(`x${PASSWORD}`), { ...options, clientId: `wrong-url-${tag}` }), reported);
    await settle(connect(base(), { ...options, clientId: `wrong-opt-${tag}`, username: 'alice', password: `x${PASSWORD}` }), reported);
    // Unreachable, and not a URL at all.
    const nowhere = withCredentials(PASSWORD).replace(/:\d+/, `:${await freePort()}`);
    await settle(connect(nowhere, { ...options, clientId: `nowhere-${tag}` }), reported);
    await settle(connect(`${withCredentials(PASSWORD)}:notaport`, options), reported);

    // Accepted, then every way a publish or subscribe can fail.
    const client = watch(
      await connect(withCredentials(PASSWORD), {
        ...options,
        clientId: `victim-${tag}`,
        will: { topic: `wills/${tag}`, payload: PAYLOAD, qos: 1 },
      }),
      reported,
    );
    for (const qos of [0, 1, 2] as const) await settle(client.publish(`deny/${tag}`, PAYLOAD, { qos }), reported);
    await settle(client.publish(`bad/+/${tag}`, PAYLOAD, { qos: 1 }), reported);
    await settle(client.subscribe(`deny/${tag}`, { qos: 1 }), reported);
    // The broker cuts the connection (and the will goes out); what was owed is abandoned by a forced end.
    // Over the broker's 1 KiB: 5.0 refuses it locally, 3.1.1 sends it and the broker cuts the connection.
    const owedByClient = [client.publish(`ok/${tag}`, PAYLOAD.repeat(100), { qos: 1 }), client.publish(`ok/${tag}`, PAYLOAD, { qos: 2 })];
    broker.dropClient(`victim-${tag}`);
    owedByClient.push(client.publish(`ok/${tag}`, PAYLOAD, { qos: 1 }));
    await settle(client.end({ force: true }), reported);
    for (const promise of owedByClient) await settle(promise, reported);

    // A client that never reaches a broker and is ended with messages owed.
    const stranded = watch(
      createClient(nowhere, { clientId: `stranded-${tag}`, protocolVersion, reconnect: { initialDelayMs: 10, maxDelayMs: 20 }, maxQueuedQoS0: 1 }),
      reported,
    );
    const owed = [0, 0, 1].map((qos) => stranded.publish(`ok/${tag}`, PAYLOAD, { qos: qos as 0 | 1 }));
    // Let it fail to connect a few times: each failure is reported.
    let failures = 0;
    stranded.on('reconnecting', () => failures++);
    await expect.poll(() => failures).toBeGreaterThanOrEqual(3);
    await settle(stranded.end({ force: true }), reported);
    for (const promise of owed) await settle(promise, reported);

    expect(reported.filter((r) => r instanceof Error).length).toBeGreaterThanOrEqual(8);
    expect(leaks(reported)).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(leaks(logLines)).toEqual([]);
  });
});

describe('credentials fetched by beforeConnect, and SCRAM', () => {
  const url = () => `mqtt://127.0.0.1:${broker.port}`;

  test('tokens from beforeConnect, refused and accepted, appear in no event, error or log line', async () => {
    const reported: unknown[] = [];
    // Refused tokens first (retried with the next answer), then the right one.
    const answers = [`x${PASSWORD}`, `y${PASSWORD}`];
    const client = watch(
      createClient(url(), {
        clientId: 'hooked',
        username: 'alice',
        reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
        beforeConnect: () => ({ password: answers.shift() ?? PASSWORD }),
      }),
      reported,
    );
    await expect.poll(() => client.connected).toBe(true);
    // A hook that answers nonsense is reported without what it answered.
    const odd = watch(createClient(url(), { clientId: 'odd', reconnect: false, beforeConnect: () => ({ password: { secret: PASSWORD } as never }) }), reported);
    await settle(odd.whenConnected(), reported);
    await settle(client.end(), reported);
    await settle(odd.end({ force: true }), reported);
    expect(reported.filter((r) => (r as { event?: string } | undefined)?.event === 'error').length).toBeGreaterThanOrEqual(2);
    expect(leaks(reported)).toEqual([]);
    expect(leaks(logLines)).toEqual([]);
  });

  test('SCRAM: a wrong password, a success and a re-authentication report no password', async () => {
    const reported: unknown[] = [];
    await settle(connect(url(), { clientId: 'scram-wrong', reconnect: false, ...scramSha256({ username: 'alice', password: `x${PASSWORD}` }) }), reported);
    const client = watch(await connect(url(), { clientId: 'scram-ok', ...scramSha256({ username: 'alice', password: PASSWORD }) }), reported);
    await settle(client.reauthenticate(), reported);
    await settle(client.end(), reported);
    expect(reported.some((r) => (r as { code?: string } | undefined)?.code === 'ERR_CONNECT_REFUSED')).toBe(true);
    expect(leaks(reported)).toEqual([]);
    expect(leaks(logLines)).toEqual([]);
  });
});
