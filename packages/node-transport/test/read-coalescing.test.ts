// tcpTransport's read coalescing (`coalesceReadsMs`) over a real loopback socket: when the
// client's `data` handler says a read held only what it awaits nothing for (it returns true) and
// the read came right after the one before, reading stops for that long, or until the next write.
// The holds here are long (200 ms) so that the assertions are about the rule, not about timing.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Connection, InvalidArgumentError } from '@courier/core';
import type { TransportPeer } from '@courier/core/testing';
import { connect, tcpTransport } from '@courier/node';
import { type PeerServer, startPeerServer } from './peer-servers';

const HOLD_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Reader {
  connection: Connection;
  peer: TransportPeer;
  /** Each read: when it came (performance.now()) and its bytes. */
  reads: { at: number; bytes: Uint8Array }[];
  closed: Promise<void>;
  /** Resolves once `total` bytes have been read. */
  received(total: number): Promise<void>;
}

let server: PeerServer;
beforeEach(async () => {
  server = await startPeerServer('tcp');
});
afterEach(async () => {
  await server.close();
});

async function reader(coalesceReadsMs: number, quiet: boolean): Promise<Reader> {
  const reads: { at: number; bytes: Uint8Array }[] = [];
  const waiters: (() => void)[] = [];
  let closedNow: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (closedNow = resolve));
  const connection = await tcpTransport({ host: '127.0.0.1', port: server.port, coalesceReadsMs }).connect({
    data(bytes) {
      reads.push({ at: performance.now(), bytes });
      for (const wake of waiters.splice(0)) wake();
      return quiet;
    },
    close: () => closedNow(),
    drain() {},
  });
  const peer = await server.nextPeer();
  const total = () => reads.reduce((sum, read) => sum + read.bytes.length, 0);
  const received = (bytes: number): Promise<void> =>
    new Promise((resolve) => {
      const check = () => (total() >= bytes ? resolve() : waiters.push(check));
      check();
    });
  return { connection, peer, reads, closed, received };
}

/** Sends `a` and then `b` as separate reads, so that the read of `b` comes right after another. */
async function twoReads(r: Reader): Promise<void> {
  r.peer.send(new Uint8Array([0x30, 1]));
  await r.received(2);
  r.peer.send(new Uint8Array([0x30, 2]));
  await r.received(4);
}

describe('coalesceReadsMs', () => {
  test('a read right after another that the client calls quiet stops reading for coalesceReadsMs: what comes meanwhile waits, whole', async () => {
    const r = await reader(HOLD_MS, true);
    await twoReads(r);
    const heldFrom = r.reads[1]!.at;
    r.peer.send(new Uint8Array([0x30, 3]));
    await sleep(20);
    r.peer.send(new Uint8Array([0x30, 4]));
    await r.received(8);
    // Both later chunks came in one read, once the hold was over.
    expect(r.reads).toHaveLength(3);
    expect(r.reads[2]!.bytes).toEqual(new Uint8Array([0x30, 3, 0x30, 4]));
    expect(r.reads[2]!.at - heldFrom).toBeGreaterThanOrEqual(HOLD_MS - 5);
    r.connection.close();
  });

  test('a read the client does not call quiet is followed by reading at once', async () => {
    const r = await reader(HOLD_MS, false);
    await twoReads(r);
    const sentAt = performance.now();
    r.peer.send(new Uint8Array([0x30, 3]));
    await r.received(6);
    expect(r.reads[2]!.at - sentAt).toBeLessThan(HOLD_MS / 2);
    r.connection.close();
  });

  test('a read after a quiet spell does not hold: the message right behind it is read at once', async () => {
    const r = await reader(HOLD_MS, true);
    await twoReads(r);
    await sleep(HOLD_MS + 20); // longer than half coalesceReadsMs, and the hold is over: the stream has stopped
    r.peer.send(new Uint8Array([0x30, 3]));
    await r.received(6);
    await sleep(20);
    const sentAt = performance.now();
    r.peer.send(new Uint8Array([0x30, 4]));
    await r.received(8);
    expect(r.reads[3]!.at - sentAt).toBeLessThan(HOLD_MS / 2);
    r.connection.close();
  });

  test('a write ends the hold: its answer is read as soon as it comes', async () => {
    const r = await reader(HOLD_MS, true);
    await twoReads(r);
    const writtenAt = performance.now();
    r.connection.write(new Uint8Array([0xc0, 0])); // PINGREQ
    await r.peer.received(2);
    r.peer.send(new Uint8Array([0xd0, 0])); // PINGRESP
    await r.received(6);
    expect(r.reads[2]!.at - writtenAt).toBeLessThan(HOLD_MS / 2);
    r.connection.close();
  });

  test('0 turns it off', async () => {
    const off = await reader(0, true);
    await twoReads(off);
    const sentAt = performance.now();
    off.peer.send(new Uint8Array([0x30, 3]));
    await off.received(6);
    expect(off.reads[2]!.at - sentAt).toBeLessThan(HOLD_MS / 2);
    off.connection.close();
  });

  test('a connection closed by the broker during a hold reports its close', async () => {
    const r = await reader(HOLD_MS, true);
    await twoReads(r);
    r.peer.close();
    await r.closed;
  });

  test('a value that is not a whole number of milliseconds from 0 to 1000 is refused at once', async () => {
    for (const bad of [-1, 1.5, 1001, Number.NaN]) {
      expect(() => tcpTransport({ host: '127.0.0.1', port: 1, coalesceReadsMs: bad })).toThrow(InvalidArgumentError);
    }
    await expect(connect('mqtt://127.0.0.1:1', { coalesceReadsMs: -1 })).rejects.toThrow(InvalidArgumentError);
  });
});
