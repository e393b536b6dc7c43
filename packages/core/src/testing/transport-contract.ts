import { describe, expect, test } from 'vitest';
import type { Connection, Transport, TransportHandlers } from '../ports/transport';

/** The far end of a connection, as the fixture sees it. */
export interface TransportPeer {
  /** Sends bytes to the client. */
  send(bytes: Uint8Array): void;
  /** Resolves once `length` bytes have arrived from the client, with all of them. */
  received(length: number): Promise<Uint8Array>;
  /** Closes the connection from the far end, as a broker that hangs up. */
  close(): void;
  /** Resolves when the connection has closed, from either end. */
  readonly closed: Promise<void>;
}

/** What `transportContract` needs of a Transport implementation under test: the transport and its far ends. */
export interface TransportFixture {
  transport: Transport;
  /** The far end of the next connection the transport opens. */
  nextPeer(): Promise<TransportPeer>;
  /** A transport pointed where nothing listens. */
  unreachable: Transport;
  /** Stops what the fixture started (servers, sockets) after each test. */
  cleanup(): Promise<void>;
}

interface Recorder extends TransportHandlers {
  chunks: Uint8Array[];
  closes: (Error | undefined)[];
  closed: Promise<void>;
  bytes(): Uint8Array;
  until(length: number): Promise<Uint8Array>;
}

function recorder(): Recorder {
  let onClosed!: () => void;
  const waiters: { length: number; resolve: (bytes: Uint8Array) => void }[] = [];
  const r: Recorder = {
    chunks: [],
    closes: [],
    closed: new Promise((resolve) => (onClosed = resolve)),
    data(chunk) {
      r.chunks.push(chunk);
      const all = r.bytes();
      for (const w of [...waiters]) if (all.length >= w.length) w.resolve(all);
    },
    close(error) {
      r.closes.push(error);
      onClosed();
    },
    drain() {},
    bytes() {
      const out = new Uint8Array(r.chunks.reduce((n, c) => n + c.length, 0));
      let pos = 0;
      for (const c of r.chunks) {
        out.set(c, pos);
        pos += c.length;
      }
      return out;
    },
    until(length) {
      const all = r.bytes();
      if (all.length >= length) return Promise.resolve(all);
      return new Promise((resolve) => waiters.push({ length, resolve }));
    },
  };
  return r;
}

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

/**
 * The rules every Transport keeps (the port's contract): ordered bytes both ways, one close
 * notice, a graceful close, a clear failure when nothing listens.
 */
export function transportContract(name: string, makeFixture: () => Promise<TransportFixture>): void {
  describe(`${name} keeps the Transport contract`, () => {
    interface Opened {
      connection: Connection;
      peer: TransportPeer;
      events: Recorder;
    }

    async function withConnection(body: (opened: Opened) => Promise<void>, closeAfter = true): Promise<void> {
      const fixture = await makeFixture();
      try {
        const events = recorder();
        const peerPromise = fixture.nextPeer();
        const connection = await fixture.transport.connect(events);
        const peer = await peerPromise;
        await body({ connection, peer, events });
        if (closeAfter) {
          connection.close();
          await events.closed;
        }
      } finally {
        await fixture.cleanup();
      }
    }

    test('bytes written arrive at the far end whole and in order', () =>
      withConnection(async ({ connection, peer }) => {
        const parts = [pattern(1, 1), pattern(100, 2), pattern(70_000, 3), pattern(5, 4)];
        for (const part of parts) connection.write(part);
        const total = parts.reduce((n, p) => n + p.length, 0);
        const got = await peer.received(total);
        const expected = new Uint8Array(total);
        let pos = 0;
        for (const part of parts) {
          expected.set(part, pos);
          pos += part.length;
        }
        expect(got).toEqual(expected);
      }));

    test('onWritten is called once per write, in write order, not before the write returns (a batch settles at its flush)', () =>
      withConnection(async ({ connection, peer }) => {
        const parts = [pattern(3, 1), pattern(200, 2), pattern(70_000, 3), pattern(7, 4)];
        const calls: { index: number; error: Error | undefined }[] = [];
        const all = Promise.all(
          parts.map((part, index) => new Promise<void>((resolve) => connection.write(part, (error) => (calls.push({ index, error }), resolve())))),
        );
        expect(calls).toEqual([]);
        await all;
        expect(calls).toEqual(parts.map((_, index) => ({ index, error: undefined })));
        await peer.received(parts.reduce((n, p) => n + p.length, 0));
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(calls).toHaveLength(parts.length); // once each
      }));

    test('a write just before close() is written (onWritten without an error); one after it gets an error', () =>
      withConnection(async ({ connection, events }) => {
        const before = new Promise<Error | undefined>((resolve) => connection.write(pattern(10, 5), resolve));
        connection.close();
        expect(await before).toBeUndefined();
        await events.closed;
        const after = new Promise<Error | undefined>((resolve) => connection.write(pattern(1, 1), resolve));
        expect(await after).toBeInstanceOf(Error);
      }, false));

    test('bytes from the far end arrive whole and in order', () =>
      withConnection(async ({ peer, events }) => {
        peer.send(pattern(3, 7));
        peer.send(pattern(50_000, 8));
        const got = await events.until(50_003);
        expect(got.subarray(0, 3)).toEqual(pattern(3, 7));
        expect(got.subarray(3)).toEqual(pattern(50_000, 8));
      }));

    test('close() sends what was written first, then the close is reported once', () =>
      withConnection(async ({ connection, peer, events }) => {
        connection.write(pattern(10, 9));
        connection.close();
        connection.close();
        expect(await peer.received(10)).toEqual(pattern(10, 9));
        await events.closed;
        await peer.closed;
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(events.closes).toHaveLength(1);
        expect(connection.write(pattern(1, 1))).toBe(false); // after close: nothing written, nothing thrown
      }, false));

    test('a close from the far end is reported once', () =>
      withConnection(async ({ peer, events }) => {
        peer.close();
        await events.closed;
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(events.closes).toHaveLength(1);
      }, false));

    test('connecting where nothing listens rejects, and reports no close', async () => {
      const fixture = await makeFixture();
      try {
        const events = recorder();
        await expect(fixture.unreachable.connect(events)).rejects.toBeInstanceOf(Error);
        expect(events.closes).toEqual([]);
      } finally {
        await fixture.cleanup();
      }
    });
  });
}
