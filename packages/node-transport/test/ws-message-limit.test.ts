// A broker over WebSocket that announces a huge message: the client must fail the connection
// from the frame header, not buffer up to the `ws` package's 100 MiB default first. The server
// is a raw HTTP upgrade on loopback that writes its WebSocket frames itself, so that it can
// send a frame header and then stall, as a hostile or broken broker would.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createClient, wsTransport } from '../src/index';

const ANNOUNCED = 50 * 1024 * 1024;
const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const server of servers.splice(0)) {
    server.close();
    await once(server, 'close');
  }
});

/** An unmasked binary frame header (server to client) announcing `length` bytes of payload. */
function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(10);
  header[0] = 0x82; // FIN, binary
  header[1] = 127; // a 64-bit length follows
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

function frame(payload: Buffer): Buffer {
  const header = payload.length < 126 ? Buffer.from([0x82, payload.length]) : Buffer.from([0x82, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/**
 * A server that accepts the upgrade (subprotocol mqtt), answers the first message it gets with
 * a CONNACK when `connack` is set, and then sends the header of a message of ANNOUNCED bytes
 * and 1 KiB of it, and nothing more.
 */
async function hugeMessageServer(connack: boolean): Promise<number> {
  const server = createServer();
  servers.push(server);
  server.on('upgrade', (request, socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const accept = createHash('sha1').update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`,
    );
    const announce = () => socket.write(Buffer.concat([frameHeader(ANNOUNCED), Buffer.alloc(1024, 0x30)]));
    if (!connack) return void announce();
    socket.once('data', () => {
      // CONNACK, MQTT 5.0: session not present, success, no properties.
      socket.write(frame(Buffer.from([0x20, 3, 0, 0, 0])));
      announce();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

describe('a WebSocket message larger than the client takes', () => {
  test('wsTransport with maxMessageBytes fails the connection from the frame header', async () => {
    const port = await hugeMessageServer(false);
    let received = 0;
    let closed!: (error: Error | undefined) => void;
    const closing = new Promise<Error | undefined>((resolve) => (closed = resolve));
    await wsTransport({ url: `ws://127.0.0.1:${port}`, maxMessageBytes: 1024 * 1024 }).connect({
      data: (chunk) => {
        received += chunk.length;
      },
      close: closed,
      drain: () => undefined,
    });
    const error = await closing;
    expect(error?.message).toBe('the broker sent a WebSocket message larger than maxMessageBytes');
    expect(received).toBe(0);
  });

  test('connect() bounds the message by maximumPacketSize: the client disconnects with that error at once', async () => {
    const port = await hugeMessageServer(true);
    // Listening before it connects: the announcement follows the CONNACK at once.
    const client = createClient(`ws://127.0.0.1:${port}`, { protocolVersion: 5, maximumPacketSize: 64 * 1024, reconnect: false });
    const disconnected = new Promise<Error | undefined>((resolve) => client.on('disconnect', (info) => resolve(info.error)));
    try {
      const error = await disconnected;
      expect(client.connected).toBe(false);
      expect(error?.message).toContain('larger than maxMessageBytes');
    } finally {
      await client.end({ force: true });
    }
  });
});
