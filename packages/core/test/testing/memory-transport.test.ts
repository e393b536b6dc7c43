import { expect, test } from 'vitest';
import { MemoryTransport, type TransportPeer, transportContract } from '@courier/core/testing';

transportContract('MemoryTransport', async () => {
  const transport = new MemoryTransport();
  const unreachable = new MemoryTransport();
  unreachable.refuseWith = new Error('connection refused');
  const waiting: ((peer: TransportPeer) => void)[] = [];
  transport.onConnection = (memoryPeer) => {
    const received: Uint8Array[] = [];
    let closed!: () => void;
    const closedPromise = new Promise<void>((resolve) => (closed = resolve));
    const listeners: (() => void)[] = [];
    memoryPeer.onData = (bytes) => {
      received.push(bytes);
      for (const listener of [...listeners]) listener();
    };
    memoryPeer.onClose = () => closed();
    const all = () => {
      const out = new Uint8Array(received.reduce((n, c) => n + c.length, 0));
      let pos = 0;
      for (const chunk of received) {
        out.set(chunk, pos);
        pos += chunk.length;
      }
      return out;
    };
    waiting.shift()?.({
      send: (bytes) => memoryPeer.send(bytes),
      close: () => memoryPeer.close(),
      closed: closedPromise,
      received: (length) =>
        new Promise((resolve) => {
          const check = () => {
            const bytes = all();
            if (bytes.length >= length) resolve(bytes);
            else listeners.push(check);
          };
          check();
        }),
    });
  };
  return {
    transport,
    unreachable,
    nextPeer: () => new Promise((resolve) => waiting.push(resolve)),
    cleanup: async () => {},
  };
});

test('MemoryTransport reports back-pressure past its high-water mark, then drains', async () => {
  const transport = new MemoryTransport({ highWaterMark: 10 });
  let drained = 0;
  const connection = await transport.connect({ data() {}, close() {}, drain: () => drained++ });
  expect(connection.write(new Uint8Array(8))).toBe(true);
  expect(connection.write(new Uint8Array(8))).toBe(false);
  await Promise.resolve();
  await Promise.resolve();
  expect(drained).toBe(1);
});
