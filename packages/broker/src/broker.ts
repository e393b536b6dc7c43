import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocketServer } from 'ws';
import { BrokerCore } from './broker-core';
import { Connection, type ConnectionContext } from './connection';
import { type Fault, type FaultHandle, FaultSet } from './faults';
import { type BrokerOptions, resolveOptions } from './options';
import { createScheduler } from './scheduler';
import { Tap, type TapListener } from './tap';
import { TcpTransport } from './tcp-transport';
import type { Transport } from './transport';
import { WsTransport } from './ws-transport';

/** A running broker: where it listens, how to stop it, and the tools tests use to watch and break it. */
export interface Broker {
  readonly host: string;
  /** The TCP port it listens on (the one picked when `port` was 0). */
  readonly port: number;
  /** The WebSocket port, when `wsPort` was given. */
  readonly wsPort: number | undefined;
  /** The TLS (mqtts://) port, when `tlsPort` was given. */
  readonly tlsPort: number | undefined;
  /** The WebSocket-over-TLS (wss://) port, when `wssPort` was given. */
  readonly wssPort: number | undefined;
  /**
   * Closes every connection (5.0 clients get DISCONNECT 0x8B first), saves the sessions to
   * `sessionStore` if there is one, and frees the ports.
   */
  close(): Promise<void>;
  /** Every packet in and out, after faults are applied; returns a function that stops the tap. */
  tap(listener: TapListener): () => void;
  /** Breaks a flow on purpose: drop, delay or cut at a chosen packet. */
  inject(fault: Fault): FaultHandle;
  /** Withdraws every fault. */
  clearFaults(): void;
  /** Cuts a client's connection now, as a network failure would (no DISCONNECT, will published). */
  dropClient(clientId: string): boolean;
}

// How long close() lets clients read their DISCONNECT and close their side before cutting them.
const CLOSE_GRACE_MS = 250;

/**
 * Starts a broker: MQTT 3.1.1 and 5.0 over TCP, and over WebSocket (subprotocol `mqtt`) when
 * `wsPort` is given. Resolves once it listens; rejects if a port cannot be bound.
 */
export async function createBroker(options: BrokerOptions = {}): Promise<Broker> {
  const resolved = resolveOptions(options);
  const log = resolved.log;
  const scheduler = createScheduler();
  const core = new BrokerCore(resolved, scheduler);
  const store = resolved.sessionStore;
  if (store !== undefined) {
    const snapshot = await store.load();
    if (snapshot !== undefined) core.restore(snapshot);
  }
  const tap = new Tap(log);
  const faults = new FaultSet();
  const connections = new Set<Connection>();
  const context: ConnectionContext = { core, tap, faults };
  let closing: Promise<void> | undefined;

  const accept = (transport: Transport): void => {
    if (closing !== undefined) {
      transport.close('abort');
      return;
    }
    const connection = new Connection(transport, context);
    connections.add(connection);
    void connection.transportClosed.then(() => connections.delete(connection));
  };

  // One server per listener; a TLS socket is a net.Socket, so the TCP connection code serves it.
  const acceptSocket = (socket: Socket) => accept(new TcpTransport(socket));
  const servers: (TcpServer | HttpServer)[] = [];
  const webSockets: WebSocketServer[] = [];
  const start = async (server: TcpServer | HttpServer, port: number | undefined, what: string): Promise<number | undefined> => {
    if (port === undefined) return undefined;
    server.on('error', (error) => log(`${what} server error: ${String(error)}`));
    servers.push(server);
    await listen(server, port, resolved.host);
    return (server.address() as AddressInfo).port;
  };
  const withWebSocket = (server: HttpServer): HttpServer => {
    const wss = new WebSocketServer({
      server,
      perMessageDeflate: false,
      maxPayload: 2 * resolved.maximumPacketSize + 1024,
      // MQTT over WebSocket names its subprotocol "mqtt" (6.0); "mqttv3.1" is the older name.
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    });
    wss.on('connection', (ws, request) => {
      accept(new WsTransport(ws, `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`));
    });
    wss.on('error', (error) => log(`WebSocket server error: ${String(error)}`));
    webSockets.push(wss);
    return server;
  };
  const upgradeOnly = (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  };
  const tls = resolved.tls ?? { cert: '', key: '' };
  let port: number;
  let wsPort: number | undefined;
  let tlsPort: number | undefined;
  let wssPort: number | undefined;
  try {
    port = (await start(createTcpServer(acceptSocket), resolved.port, 'TCP')) as number;
    if (resolved.wsPort !== undefined) wsPort = await start(withWebSocket(createHttpServer(upgradeOnly)), resolved.wsPort, 'WebSocket');
    if (resolved.tlsPort !== undefined) tlsPort = await start(createTlsServer(tls, acceptSocket), resolved.tlsPort, 'TLS');
    if (resolved.wssPort !== undefined) {
      wssPort = await start(withWebSocket(createHttpsServer(tls, upgradeOnly)), resolved.wssPort, 'WebSocket over TLS');
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  const urls = [`mqtt://${resolved.host}:${port}`];
  if (wsPort !== undefined) urls.push(`ws://${resolved.host}:${wsPort}`);
  if (tlsPort !== undefined) urls.push(`mqtts://${resolved.host}:${tlsPort}`);
  if (wssPort !== undefined) urls.push(`wss://${resolved.host}:${wssPort}`);
  // Once listening (a port in use leaves the snapshot for the next try): from now on a crash
  // must not bring this snapshot back (session-store.ts).
  await store?.clear();
  log(`listening on ${urls.join(' and ')}`);

  return {
    host: resolved.host,
    port,
    wsPort,
    tlsPort,
    wssPort,
    close() {
      closing ??= (async () => {
        const stopped = servers.map(closeServer);
        for (const wss of webSockets) wss.close();
        for (const connection of connections) connection.shutdown();
        await within(CLOSE_GRACE_MS, Promise.all([...connections].map((connection) => connection.transportClosed)));
        for (const connection of connections) connection.abort();
        for (const server of servers) if ('closeAllConnections' in server) server.closeAllConnections();
        scheduler.cancelAll();
        // No connection is left, so the snapshot holds everything that was acknowledged.
        const saved = store?.save(core.snapshot());
        core.clear();
        faults.clear();
        await Promise.all([...stopped, saved]);
        log('closed');
      })();
      return closing;
    },
    tap: (listener) => tap.add(listener),
    inject: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    dropClient(clientId) {
      const owner = core.sessions.get(clientId)?.owner;
      if (owner === undefined) return false;
      owner.drop('dropped by dropClient');
      return true;
    },
  };
}

function listen(server: TcpServer | HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: TcpServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Waits for `promise`, but no longer than `ms`. */
async function within(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
