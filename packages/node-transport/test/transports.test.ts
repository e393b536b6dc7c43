import { describe, expect, test } from 'vitest';
import { tcpTransport, wsTransport } from '@courier/node';
import { transportContract } from '@courier/core/testing';
import { deadPort, startPeerServer } from './peer-servers';
import { testCertificate } from './test-certificate';

transportContract('tcpTransport (mqtt://)', async () => {
  const server = await startPeerServer('tcp');
  return {
    transport: tcpTransport({ host: '127.0.0.1', port: server.port }),
    unreachable: tcpTransport({ host: '127.0.0.1', port: await deadPort() }),
    nextPeer: () => server.nextPeer(),
    cleanup: () => server.close(),
  };
});

transportContract('tcpTransport with TLS (mqtts://)', async () => {
  const server = await startPeerServer('tls');
  const { cert } = await testCertificate();
  return {
    transport: tcpTransport({ host: '127.0.0.1', port: server.port, tls: { ca: cert } }),
    unreachable: tcpTransport({ host: '127.0.0.1', port: await deadPort(), tls: { ca: cert } }),
    nextPeer: () => server.nextPeer(),
    cleanup: () => server.close(),
  };
});

transportContract('wsTransport (ws://)', async () => {
  const server = await startPeerServer('ws');
  return {
    transport: wsTransport({ url: `ws://127.0.0.1:${server.port}/mqtt` }),
    unreachable: wsTransport({ url: `ws://127.0.0.1:${await deadPort()}/mqtt` }),
    nextPeer: () => server.nextPeer(),
    cleanup: () => server.close(),
  };
});

transportContract('wsTransport with TLS (wss://)', async () => {
  const server = await startPeerServer('wss');
  const { cert } = await testCertificate();
  return {
    transport: wsTransport({ url: `wss://127.0.0.1:${server.port}/mqtt`, tls: { ca: cert } }),
    unreachable: wsTransport({ url: `wss://127.0.0.1:${await deadPort()}/mqtt`, tls: { ca: cert } }),
    nextPeer: () => server.nextPeer(),
    cleanup: () => server.close(),
  };
});

describe('certificate verification', () => {
  test.each(['tls', 'wss'] as const)('%s: a certificate no trusted authority signed is refused by default', async (kind) => {
    const server = await startPeerServer(kind);
    try {
      const transport =
        kind === 'tls'
          ? tcpTransport({ host: '127.0.0.1', port: server.port, tls: {} })
          : wsTransport({ url: `wss://127.0.0.1:${server.port}/`, tls: {} });
      await expect(transport.connect({ data() {}, close() {}, drain() {} })).rejects.toMatchObject({
        code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/),
      });
    } finally {
      await server.close();
    }
  });

  test('the same certificate is accepted only when verification is explicitly turned off', async () => {
    const server = await startPeerServer('tls');
    try {
      const transport = tcpTransport({ host: '127.0.0.1', port: server.port, tls: { rejectUnauthorized: false } });
      const connection = await transport.connect({ data() {}, close() {}, drain() {} });
      connection.close();
    } finally {
      await server.close();
    }
  });
});

/** A TCP connection to `server` whose 'drain' calls are counted, and the server's side of it. */
async function connectCountingDrains(server: Awaited<ReturnType<typeof startPeerServer>>) {
  const drains = { count: 0 };
  const connection = await tcpTransport({ host: '127.0.0.1', port: server.port }).connect({
    data() {},
    close() {},
    drain: () => drains.count++,
  });
  return { connection, peer: await server.nextPeer(), drains };
}

describe('back-pressure', () => {
  test('write() returns false when the socket is full, and drain says when to go on', async () => {
    const server = await startPeerServer('tcp');
    try {
      const { connection, peer, drains } = await connectCountingDrains(server);
      const chunk = new Uint8Array(1 << 20);
      let writes = 0;
      while (connection.write(chunk)) writes++;
      expect(writes).toBeLessThan(64); // refused long before 64 MiB were buffered
      await peer.received((writes + 1) << 20);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(drains.count).toBeGreaterThanOrEqual(1);
      connection.close();
    } finally {
      await server.close();
    }
  });

  test('small packets adjacent in one buffer (sent as one view) still refuse at the high-water mark, drain, and arrive whole and in order', async () => {
    const server = await startPeerServer('tcp');
    try {
      const { connection, peer, drains } = await connectCountingDrains(server);
      const whole = new Uint8Array(8 << 20);
      for (let i = 0; i < whole.length; i++) whole[i] = (i * 31 + (i >> 8)) & 0xff;
      const packet = (k: number) => whole.subarray(k * 100, (k + 1) * 100);
      let k = 0;
      while (connection.write(packet(k++)) && k * 100 < whole.length);
      expect(k * 100).toBeLessThan(1 << 20); // refused long before 1 MiB was held
      // After the refusal, a few more adjacent packets (what a client flushing a batch would add).
      for (let extra = 0; extra < 10; extra++) connection.write(packet(k++));
      expect(await peer.received(k * 100)).toEqual(whole.subarray(0, k * 100));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(drains.count).toBeGreaterThanOrEqual(1);
      connection.close();
    } finally {
      await server.close();
    }
  });
});
