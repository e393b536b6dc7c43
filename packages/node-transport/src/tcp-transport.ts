import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type Connection, InvalidArgumentError, type Transport, type TransportHandlers } from '@courier/core';
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
  /**
   * Plain TCP: under a stream of QoS 0 messages whose reads come less than half this many
   * milliseconds apart, while the client awaits nothing from the broker, wait this long between reads,
   * so that each read takes many messages (default 1; 0: read each byte as it arrives). Such
   * messages reach the application up to this much later; everything else is read at once.
   */
  coalesceReadsMs?: number;
}

/** What one read may take: libuv's own default. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * MQTT over TCP (mqtt://) or TLS (mqtts://). `connect(url)` picks it for you; use it directly
 * to hand a transport to `createClient({ transport })` from `@courier/core`.
 */
export function tcpTransport(options: TcpTransportOptions): Transport {
  const { host, port, tls, connectTimeoutMs = 30_000, coalesceReadsMs = 1 } = options;
  if (!Number.isInteger(coalesceReadsMs) || coalesceReadsMs < 0 || coalesceReadsMs > 1000) {
    throw new InvalidArgumentError(`coalesceReadsMs must be a whole number of milliseconds from 0 to 1000, not ${String(coalesceReadsMs)}`);
  }
  return {
    connect(handlers: TransportHandlers): Promise<Connection> {
      return new Promise((resolve, reject) => {
        let connection: SocketConnection | undefined;
        // Plain TCP is read with `onread`: libuv reads into one buffer and calls back, without the
        // stream's per-read work (a Buffer, a 'data' event, a nextTick). A subscriber that keeps
        // up wakes for every few messages, so that work was a third of its CPU per message. Each
        // read is copied out (the decoder keeps views into its chunks); the copy is as small as
        // the read. TLS sockets have no `onread`: they emit 'data'.
        const onread = {
          buffer: new Uint8Array(READ_BUFFER_BYTES),
          callback: (bytes: number, buffer: Uint8Array): boolean => {
            // false stops reading (Node's readStop) until the connection resumes the socket.
            return connection?.received(buffer.slice(0, bytes)) ?? true;
          },
        };
        const socket: Socket =
          tls === undefined ? netConnect({ host, port, onread }) : tlsConnect({ host, port, ...tlsConnectOptions(host, tls) });
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
          const wrongPort = (statusLine: string) => wrongPortError(host, port, tls !== undefined, statusLine);
          connection = tls === undefined ? new SocketConnection(socket, handlers, wrongPort, 'given', coalesceReadsMs) : new SocketConnection(socket, handlers, wrongPort);
          resolve(connection);
        });
      });
    },
  };
}
