import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect, createClient, type Message, type MqttClient } from '@courier/node';

let brokers: Broker[] = [];
let clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.map((client) => client.end({ force: true })));
  await Promise.all(brokers.map((broker) => broker.close()));
  brokers = [];
  clients = [];
});

async function broker(options: Parameters<typeof createBroker>[0] = {}): Promise<Broker> {
  const started = await createBroker({ port: 0, wsPort: 0, ...options });
  brokers.push(started);
  return started;
}

function keep(client: MqttClient): MqttClient {
  clients.push(client);
  return client;
}

function nextMessage(client: MqttClient): Promise<Message> {
  return new Promise((resolve) => client.on('message', resolve));
}

describe('connect(url)', () => {
  test.each(['mqtt', 'ws'] as const)('%s:// reaches the broker, and a QoS 2 message makes the round trip', async (scheme) => {
    const b = await broker();
    const port = scheme === 'mqtt' ? b.port : b.wsPort;
    const client = keep(await connect(`${scheme}://127.0.0.1:${port}`, { clientId: `rt-${scheme}` }));
    await client.subscribe('echo/#', { qos: 2 });
    const received = nextMessage(client);
    await expect(client.publish('echo/1', 'over the wire', { qos: 2 })).resolves.toMatchObject({ qos: 2 });
    const message = await received;
    expect(new TextDecoder().decode(message.payload)).toBe('over the wire');
    expect(message.qos).toBe(2);
  });

  test('uses a user name and password given in the URL', async () => {
    const seen: unknown[] = [];
    const b = await broker({
      authenticate: ({ username, password }) => {
        seen.push([username, new TextDecoder().decode(password)]);
        return username === 'ops' && new TextDecoder().decode(password) === 'p@ss';
      },
    });
    keep(await connect(`mqtt://ops:p%40ss@127.0.0.1:${b.port}`));
    expect(seen).toEqual([['ops', 'p@ss']]);
  });

  test('rejects a refusal with ConnectRefusedError, and leaves no client running', async () => {
    const b = await broker({ authenticate: () => false });
    await expect(connect(`mqtt://127.0.0.1:${b.port}`, { reconnect: { initialDelayMs: 10, maxDelayMs: 10 } })).rejects.toMatchObject({
      code: 'ERR_CONNECT_REFUSED',
      reasonCode: 0x87,
    });
  });

  test('rejects when nothing listens, with ConnectionError', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await expect(connect(`mqtt://127.0.0.1:${port}`)).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
  });

  test('rejects when the broker never answers CONNECT within connectTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as { port: number };
      await expect(connect(`mqtt://127.0.0.1:${port}`, { connectTimeoutMs: 200 })).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test.each([
    ['not a url at all', 'not a URL'],
    ['http://127.0.0.1:1883', 'unsupported scheme'],
    ['mqtt://', 'not a URL|no host'],
  ])('rejects %s with InvalidArgumentError', async (url, message) => {
    await expect(connect(url)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(new RegExp(message)) });
  });
});

describe('createClient(url)', () => {
  test('returns at once; what is published before the broker is up goes out when it is', async () => {
    const first = await broker();
    const port = first.port;
    await first.close();
    brokers = [];
    const client = keep(createClient(`mqtt://127.0.0.1:${port}`, { clientId: 'early', reconnect: { initialDelayMs: 20, maxDelayMs: 50 } }));
    const published = client.publish('early/bird', 'waited', { qos: 1 });
    const late = await createBroker({ port });
    brokers.push(late);
    const packets: string[] = [];
    late.tap((event) => {
      if (event.direction === 'in') packets.push(event.packet.type);
    });
    await expect(published).resolves.toMatchObject({ qos: 1 });
    expect(packets).toContain('publish');
  });
});

describe('connect(urls): several brokers', () => {
  /** A loopback port nothing listens on: bound, then released. */
  async function closedPort(): Promise<number> {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    return port;
  }

  test('reaches the first broker that answers, over its own scheme, and connect says which URL', async () => {
    const dead = await closedPort();
    const live = await broker();
    const urls = [`mqtt://127.0.0.1:${dead}`, `ws://127.0.0.1:${live.wsPort}`];
    const client = keep(createClient(urls, { clientId: 'two-urls', reconnect: { initialDelayMs: 10, maxDelayMs: 10 } }));
    const info = await client.whenConnected();
    expect(info.url).toBe(`ws://127.0.0.1:${live.wsPort}/`); // the URL as parsed, without credentials
  });

  test('moves on to the next URL when its broker goes away, and the session goes on there', async () => {
    const first = await broker();
    const second = await broker();
    const urls = [`mqtt://127.0.0.1:${first.port}`, `mqtt://127.0.0.1:${second.port}`];
    const client = keep(await connect(urls, { clientId: 'moves-on', reconnect: { initialDelayMs: 10, maxDelayMs: 10 } }));
    const reached: (string | undefined)[] = [];
    client.on('connect', (info) => reached.push(info.url));
    await first.close();
    await expect.poll(() => reached).toEqual([urls[1]]);
    await expect(client.publish('after/failover', 'x', { qos: 1 })).resolves.toMatchObject({ qos: 1 });
  });

  test('an empty list is refused at once', () => {
    expect(() => createClient([])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('bursts of large messages', () => {
  test.each(['mqtt', 'ws'] as const)('%s://: 15 messages of 256 KiB published in one tick all go through (WebSocket frames stay within what a broker takes)', async (scheme) => {
    const b = await broker(); // it refuses a WebSocket message over 2 MiB
    const port = scheme === 'mqtt' ? b.port : b.wsPort;
    const client = keep(await connect(`${scheme}://127.0.0.1:${port}`, { clientId: `burst-${scheme}`, reconnect: false }));
    const disconnects: unknown[] = [];
    client.on('disconnect', (event) => disconnects.push(event));
    const results = await Promise.all(Array.from({ length: 15 }, () => client.publish('burst', new Uint8Array(256 * 1024), { qos: 1 })));
    expect(results.map((r) => r.qos)).toEqual(Array(15).fill(1));
    expect(disconnects).toEqual([]);
  });
});
