// The chaos proxy against real sockets on loopback: a client socket on one side, a peer server
// standing in for the broker on the other. It must cut at the exact byte its plan names, stall
// both ways, slow one way, and replay the same faults from the same seed.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { type ChaosProxy, type FaultPlan, randomFaults, scriptedFaults, startChaosProxy } from '@courier/node/testing';
import { deadPort, type PeerServer, startPeerServer } from '../peer-servers';

/** A client socket through the proxy that keeps what it receives, and when. */
interface Client {
  socket: Socket;
  bytes(): Buffer;
  /** When the first byte at or after `offset` arrived (ms since the epoch). */
  arrivalOf(offset: number): number | undefined;
  waitFor(length: number): Promise<void>;
  closed: Promise<void>;
}

async function openClient(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: { bytes: Buffer; at: number }[] = [];
  const listeners: (() => void)[] = [];
  socket.on('data', (bytes: Buffer) => {
    chunks.push({ bytes, at: Date.now() });
    for (const listener of listeners.splice(0)) listener();
  });
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => undefined);
  await once(socket, 'connect');
  const bytes = () => Buffer.concat(chunks.map((c) => c.bytes));
  return {
    socket,
    bytes,
    arrivalOf(offset) {
      let seen = 0;
      for (const chunk of chunks) {
        seen += chunk.bytes.length;
        if (seen > offset) return chunk.at;
      }
      return undefined;
    },
    waitFor: (length) =>
      new Promise((resolve) => {
        const check = () => (bytes().length >= length ? resolve() : listeners.push(check));
        check();
      }),
    closed,
  };
}

/** Recognisable bytes: a cut short stream must be exactly a prefix of them. */
function pattern(length: number, salt = 0): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7 + salt) % 251));
}

let broker: PeerServer | undefined;
let proxy: ChaosProxy | undefined;

async function setUp(plan: FaultPlan): Promise<{ broker: PeerServer; proxy: ChaosProxy }> {
  broker = await startPeerServer('tcp');
  proxy = await startChaosProxy({ target: { port: broker.port }, plan });
  return { broker, proxy };
}

afterEach(async () => {
  await proxy?.close();
  await broker?.close();
  proxy = undefined;
  broker = undefined;
});

describe('startChaosProxy', () => {
  test('passes bytes through unchanged both ways when no fault is due', async () => {
    const { broker, proxy } = await setUp(scriptedFaults([]));
    const client = await openClient(proxy.port);
    const peer = await broker.nextPeer();
    client.socket.write(pattern(100_000));
    expect(Buffer.from(await peer.received(100_000))).toEqual(pattern(100_000));
    peer.send(pattern(50_000, 3));
    await client.waitFor(50_000);
    expect(client.bytes()).toEqual(pattern(50_000, 3));
    expect(proxy.injected).toEqual([]);
  });

  test('cuts client-to-broker mid-stream at the exact byte: the broker gets that many bytes, then the end', async () => {
    const { broker, proxy } = await setUp(scriptedFaults([{ kind: 'cut', direction: 'up', atByte: 1234, durationMs: 0, delayMs: 0 }]));
    const client = await openClient(proxy.port);
    const peer = await broker.nextPeer();
    client.socket.write(pattern(5000));
    await Promise.all([peer.closed, client.closed]);
    expect(Buffer.from(await peer.received(0))).toEqual(pattern(1234));
    expect(proxy.injected).toMatchObject([{ kind: 'cut', direction: 'up', atByte: 1234, connection: 0 }]);
  });

  test('cuts broker-to-client at the exact byte: the client gets that many bytes, then the end', async () => {
    const { broker, proxy } = await setUp(scriptedFaults([{ kind: 'cut', direction: 'down', atByte: 777, durationMs: 0, delayMs: 0 }]));
    const client = await openClient(proxy.port);
    const peer = await broker.nextPeer();
    peer.send(pattern(3000));
    await Promise.all([peer.closed, client.closed]);
    expect(client.bytes()).toEqual(pattern(777));
  });

  test('a seeded plan cuts where it says: the first drawn byte offset, on each connection', async () => {
    const plan = randomFaults({ seed: 4242, bytesBetween: [100, 4000], weights: { cut: 1, stall: 0, delay: 0 } });
    const { broker, proxy } = await setUp(plan);
    for (let connection = 0; connection < 3; connection++) {
      const atByte = (plan.faults(connection, 'up').next().value as { atByte: number }).atByte;
      const client = await openClient(proxy.port);
      const peer = await broker.nextPeer();
      client.socket.write(pattern(5000));
      await Promise.all([peer.closed, client.closed]);
      expect(Buffer.from(await peer.received(0))).toEqual(pattern(atByte));
    }
    expect(proxy.injected.map((f) => f.connection)).toEqual([0, 1, 2]);
  });

  test('a stall holds both directions from its byte on, then lets everything through in order', async () => {
    const { broker, proxy } = await setUp(scriptedFaults([{ kind: 'stall', direction: 'up', atByte: 100, durationMs: 400, delayMs: 0 }]));
    const client = await openClient(proxy.port);
    const peer = await broker.nextPeer();
    const sentAt = Date.now();
    client.socket.write(pattern(300));
    await peer.received(100);
    const firstPartAt = Date.now();
    peer.send(pattern(10, 9)); // the other direction is held too
    await Promise.all([peer.received(300), client.waitFor(10)]);
    const restAt = Date.now();
    expect(firstPartAt - sentAt).toBeLessThan(300);
    expect(restAt - sentAt).toBeGreaterThanOrEqual(390);
    expect(client.arrivalOf(0)! - sentAt).toBeGreaterThanOrEqual(390);
    expect(Buffer.from(await peer.received(300))).toEqual(pattern(300));
    expect(client.bytes()).toEqual(pattern(10, 9));
  });

  test('a delay slows one direction only, for its duration', async () => {
    const { broker, proxy } = await setUp(
      scriptedFaults([{ kind: 'delay', direction: 'down', atByte: 0, durationMs: 5000, delayMs: 300 }]),
    );
    const client = await openClient(proxy.port);
    const peer = await broker.nextPeer();
    const sentAt = Date.now();
    client.socket.write(pattern(10));
    peer.send(pattern(10, 1)); // the first down bytes start the delay
    await peer.received(10);
    const upAt = Date.now();
    await client.waitFor(10);
    const downAt = Date.now();
    expect(downAt - sentAt).toBeGreaterThanOrEqual(290);
    expect(upAt - sentAt).toBeLessThan(downAt - sentAt);
    expect(proxy.injected).toMatchObject([{ kind: 'delay', direction: 'down', atByte: 0 }]);
  });

  test('faults that come due while faultsEnabled is false are skipped', async () => {
    const { broker, proxy } = await setUp(scriptedFaults([{ kind: 'cut', direction: 'up', atByte: 10, durationMs: 0, delayMs: 0 }]));
    proxy.faultsEnabled = false;
    const client = await openClient(proxy.port);
    const peer = await broker.nextPeer();
    client.socket.write(pattern(1000));
    expect(Buffer.from(await peer.received(1000))).toEqual(pattern(1000));
    expect(proxy.injected).toEqual([]);
  });

  test('a broker that cannot be reached closes the client connection', async () => {
    proxy = await startChaosProxy({ target: { port: await deadPort() }, plan: scriptedFaults([]) });
    const client = await openClient(proxy.port);
    await client.closed;
    expect(client.bytes().length).toBe(0);
  });
});

describe('seeded replay', () => {
  const options = { bytesBetween: [200, 3000], stallMs: [1, 10], delayMs: [1, 5], delayForMs: [1, 20] } as const;

  test('the same seed draws the same faults for every connection and direction; another seed does not', () => {
    const draw = (seed: number) =>
      [0, 1, 7].flatMap((connection) =>
        (['up', 'down'] as const).flatMap((direction) => {
          const faults = randomFaults({ seed, ...options }).faults(connection, direction);
          return Array.from({ length: 20 }, () => faults.next().value).filter((f) => f !== undefined);
        }),
      );
    expect(draw(99)).toEqual(draw(99));
    expect(draw(99)).not.toEqual(draw(100));
    expect(draw(99).filter((f) => f.kind === 'cut').length).toBeGreaterThan(0);
  });

  test('the same seed and the same traffic inject the same faults at the same bytes', async () => {
    const run = async (seed: number) => {
      const { broker, proxy } = await setUp(randomFaults({ seed, ...options }));
      for (let connection = 0; connection < 5; connection++) {
        const client = await openClient(proxy.port);
        const peer = await broker.nextPeer();
        client.socket.write(pattern(20_000));
        // Either a cut ends it, or everything arrives and the client ends it.
        await Promise.race([peer.closed, peer.received(20_000)]);
        client.socket.destroy();
        await client.closed;
      }
      const faults = proxy.injected.map(({ atMs: _atMs, ...fault }) => fault);
      await proxy.close();
      await broker.close();
      return faults;
    };
    const first = await run(7);
    const again = await run(7);
    expect(first.length).toBeGreaterThan(5);
    expect(again).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });
});
