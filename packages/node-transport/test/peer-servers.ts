// Servers on loopback that hand each accepted connection to the transport contract as a peer.
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TransportPeer } from '@courier/core/testing';
import { type WebSocket, WebSocketServer } from 'ws';
import { testCertificate } from './test-certificate';

export interface PeerServer {
  port: number;
  nextPeer(): Promise<TransportPeer>;
  close(): Promise<void>;
}

class PeerQueue {
  private readonly ready: TransportPeer[] = [];
  private readonly waiting: ((peer: TransportPeer) => void)[] = [];

  add(peer: TransportPeer): void {
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter(peer);
    else this.ready.push(peer);
  }

  next(): Promise<TransportPeer> {
    const peer = this.ready.shift();
    return peer !== undefined ? Promise.resolve(peer) : new Promise((resolve) => this.waiting.push(resolve));
  }
}

function collector() {
  const chunks: Uint8Array[] = [];
  const listeners: (() => void)[] = [];
  const all = () => Buffer.concat(chunks);
  return {
    push(chunk: Uint8Array) {
      chunks.push(chunk);
      for (const listener of listeners.splice(0)) listener();
    },
    received(length: number): Promise<Uint8Array> {
      return new Promise((resolve) => {
        const check = () => {
          const bytes = all();
          if (bytes.length >= length) resolve(new Uint8Array(bytes));
          else listeners.push(check);
        };
        check();
      });
    },
  };
}

function socketPeer(socket: Socket): TransportPeer {
  const data = collector();
  socket.on('data', (chunk) => data.push(chunk));
  socket.on('error', () => undefined);
  return {
    send: (bytes) => socket.write(bytes),
    received: (length) => data.received(length),
    close: () => socket.destroy(),
    closed: once(socket, 'close').then(() => undefined),
  };
}

function wsPeer(ws: WebSocket): TransportPeer {
  const data = collector();
  ws.on('message', (chunk: Buffer) => data.push(chunk));
  return {
    send: (bytes) => ws.send(bytes),
    received: (length) => data.received(length),
    close: () => ws.terminate(),
    closed: once(ws, 'close').then(() => undefined),
  };
}

async function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

/** A peer server of the given kind on 127.0.0.1, on a free port. */
export async function startPeerServer(kind: 'tcp' | 'tls' | 'ws' | 'wss'): Promise<PeerServer> {
  const peers = new PeerQueue();
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const { cert, key } = await testCertificate();
  let server: Server;
  let wss: WebSocketServer | undefined;
  if (kind === 'tcp' || kind === 'tls') {
    server = kind === 'tcp' ? createNetServer() : createTlsServer({ cert, key });
    server.on(kind === 'tcp' ? 'connection' : 'secureConnection', (socket: Socket) => {
      track(socket);
      peers.add(socketPeer(socket));
    });
    if (kind === 'tls') server.on('connection', track);
  } else {
    server = kind === 'ws' ? createNetServer() : (createHttpsServer({ cert, key }) as unknown as Server);
    if (kind === 'ws') server = (await import('node:http')).createServer() as unknown as Server;
    server.on('connection', track);
    wss = new WebSocketServer({ server: server as never, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
    wss.on('connection', (ws) => peers.add(wsPeer(ws)));
  }
  const port = await listening(server);
  return {
    port,
    nextPeer: () => peers.next(),
    close: async () => {
      wss?.close();
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port where nothing listens (just opened and closed). */
export async function deadPort(): Promise<number> {
  const server = createNetServer();
  const port = await listening(server);
  server.close();
  await once(server, 'close');
  return port;
}
