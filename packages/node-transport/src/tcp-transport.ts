import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Connection, Transport, TransportHandlers } from '@courier/core';
import { wrongPortError } from './http-answer';
import { SocketConnection } from './socket-connection';
import { type TlsOptions, tlsConnectOptions } from './tls-options';

/** Where `tcpTransport` connects (mqtt://, or mqtts:// with `tls`). `connect(url)` builds these from a URL. */
export interface TcpTransportOptions {
  host: string;
  port: number;
  /** Given: TLS (mqtts://), with the certificate verified unless `rejectUnauthorized` is false. */
  tls?: TlsOptions;
  /** How long the TCP connect and the TLS handshake may take before the attempt fails (default 30 s). */
  connectTimeoutMs?: number;
}

/**
 * MQTT over TCP (mqtt://) or TLS (mqtts://). `connect(url)` picks it for you; use it directly
 * to hand a transport to `createClient({ transport })` from `@courier/core`.
 */
export function tcpTransport(options: TcpTransportOptions): Transport {
  const { host, port, tls, connectTimeoutMs = 30_000 } = options;
  return {
    connect(handlers: TransportHandlers): Promise<Connection> {
      return new Promise((resolve, reject) => {
        const socket: Socket =
          tls === undefined ? netConnect({ host, port }) : tlsConnect({ host, port, ...tlsConnectOptions(host, tls) });
        socket.setNoDelay(true);
        const failed = (error: Error) => {
          socket.destroy();
          reject(error);
        };
        // A server that accepts and never completes the handshake must not hold the socket for ever.
        const timedOut = () => failed(new Error(`no connection within ${connectTimeoutMs} ms`));
        socket.setTimeout(connectTimeoutMs, timedOut);
        socket.once('error', failed);
        socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
          socket.off('error', failed);
          socket.off('timeout', timedOut);
          socket.setTimeout(0);
          resolve(new SocketConnection(socket, handlers, (statusLine) => wrongPortError(host, port, tls !== undefined, statusLine)));
        });
      });
    },
  };
}
