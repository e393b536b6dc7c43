import type { Connection, Transport, TransportHandlers } from '@courier/core';
import WebSocket from 'ws';
import { type TlsOptions, tlsConnectOptions } from './tls-options';
import { upgradeRefused } from './upgrade-refused';

/** Where `wsTransport` connects (ws:// or wss://). `connect(url)` builds these from a URL. */
export interface WsTransportOptions {
  /** ws:// or wss:// URL of the broker. */
  url: string;
  /** For wss://: certificate verification is on unless `rejectUnauthorized` is false. */
  tls?: TlsOptions;
  /** Extra HTTP headers for the upgrade request (authentication tokens, say). */
  headers?: Record<string, string>;
  /** How long opening the connection (TCP, TLS, HTTP upgrade) may take before it fails (default 30 s). */
  connectTimeoutMs?: number;
  /**
   * The largest WebSocket message taken from the broker, in bytes; a larger one fails the
   * connection as soon as its frame header says so, before it is buffered. Default: the `ws`
   * package's 100 MiB. `connect(url)` derives it from `maximumPacketSize` when that is set.
   */
  maxMessageBytes?: number;
  /**
   * Put the packets written in the same tick into one WebSocket message (up to 64 KiB), which
   * saves a frame and a syscall each [MQTT-6.0.0-2]. Off by default: some brokers (Paho's
   * reference broker) read one message and then wait on the socket, leaving the rest of a
   * coalesced message unread. Turn it on only for a broker known to handle it.
   */
  coalesce?: boolean;
}

// Past this many bytes handed to the socket and not yet written, `write` asks the client to wait.
const HIGH_WATER_MARK = 1 << 20;
const MAX_FRAME_BYTES = 64 * 1024;

/**
 * MQTT over WebSocket (ws:// and wss://) with the `ws` package: binary frames [MQTT-6.0.0-1],
 * subprotocol "mqtt" [MQTT-6.0.0-3]. Packets written in the same tick are sent together at the
 * end of the tick, each in a WebSocket message of its own (or coalesced, with `coalesce: true`).
 * `connect(url)` picks it for ws:// and wss://; use it directly with `createClient({ transport })`.
 */
export function wsTransport(options: WsTransportOptions): Transport {
  return {
    connect(handlers: TransportHandlers): Promise<Connection> {
      return new Promise((resolve, reject) => {
        const host = new URL(options.url).hostname;
        const socket = new WebSocket(options.url, 'mqtt', {
          perMessageDeflate: false,
          handshakeTimeout: options.connectTimeoutMs ?? 30_000,
          ...(options.maxMessageBytes === undefined ? {} : { maxPayload: options.maxMessageBytes }),
          ...(options.tls === undefined ? {} : tlsConnectOptions(host, options.tls)),
          ...(options.headers === undefined ? {} : { headers: options.headers }),
        });
        socket.binaryType = 'nodebuffer';
        const failed = (error: Error) => {
          socket.terminate();
          reject(upgradeRefused(options.url, error));
        };
        socket.once('error', failed);
        socket.once('open', () => {
          socket.off('error', failed);
          resolve(new WsConnection(socket, handlers, options.coalesce === true));
        });
      });
    },
  };
}

class WsConnection implements Connection {
  private batch: Uint8Array[] = [];
  /** The onWritten callbacks of the batch, in order, called when `ws` has written their message. */
  private batchWritten: ((error?: Error) => void)[] = [];
  private unsent = 0;
  private unsentInBatch = 0;
  private waitingForDrain = false;
  private failure: Error | undefined;
  private readonly flush = () => this.sendBatch();

  constructor(
    private readonly socket: WebSocket,
    handlers: TransportHandlers,
    private readonly coalesce: boolean,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        handlers.data(data);
      } else if (this.failure === undefined) {
        // [MQTT-6.0.0-1]: MQTT travels in binary frames; any other frame closes the connection.
        this.failure = new Error('the broker sent a text frame: MQTT goes in binary frames');
        socket.terminate();
      }
    });
    socket.on('error', (error: Error & { code?: string }) => {
      this.failure ??=
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? new Error('the broker sent a WebSocket message larger than maxMessageBytes', { cause: error }) : error;
      // At once: after a protocol error `ws` starts a closing handshake, and a broker that never
      // answers it would hold the connection, and the reconnect, for 30 s.
      socket.terminate();
    });
    socket.once('close', () => {
      // What never left: told, so that nothing waits on it.
      const unsent = this.batchWritten;
      this.batch = [];
      this.batchWritten = [];
      for (const onWritten of unsent) onWritten(new Error('the connection closed before these bytes were written'));
      handlers.close(this.failure);
    });
    this.onSent = (error) => {
      if (error !== undefined && error !== null) this.failure ??= error;
      if (this.waitingForDrain && this.unsent <= HIGH_WATER_MARK / 2) {
        this.waitingForDrain = false;
        handlers.drain();
      }
    };
  }

  private readonly onSent: (error?: Error | null) => void;

  write(bytes: Uint8Array, onWritten?: (error?: Error) => void): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) {
      if (onWritten !== undefined) process.nextTick(onWritten, new Error('the connection is closed'));
      return false;
    }
    // Brokers bound a WebSocket message (ours at twice its maximum packet size): a burst of
    // large packets coalesced into one frame would be refused, so a frame holds 64 KiB at most.
    if (this.coalesce && this.unsentInBatch + bytes.length > MAX_FRAME_BYTES) this.sendBatch();
    // Flushed in a microtask, not a nextTick: see SocketConnection.
    if (this.batch.length === 0) queueMicrotask(this.flush);
    this.batch.push(bytes);
    // A no-op for writes without a callback keeps the two lists in step.
    this.batchWritten.push(onWritten ?? ignore);
    this.unsentInBatch += bytes.length;
    this.unsent += bytes.length;
    if (this.unsent > HIGH_WATER_MARK) this.waitingForDrain = true;
    return !this.waitingForDrain;
  }

  close(): void {
    this.sendBatch();
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(1000);
  }

  private sendBatch(): void {
    const batch = this.batch;
    if (batch.length === 0 || this.socket.readyState !== WebSocket.OPEN) return;
    const written = this.batchWritten;
    this.batch = [];
    this.batchWritten = [];
    this.unsentInBatch = 0;
    if (!this.coalesce) {
      batch.forEach((packet, i) => this.sendMessage(packet, written.slice(i, i + 1)));
    } else {
      this.sendMessage(batch.length === 1 ? batch[0]! : Buffer.concat(batch), written);
    }
  }

  private sendMessage(message: Uint8Array, written: ((error?: Error) => void)[]): void {
    const length = message.length;
    // `ws` calls back once the frame is handed to the socket, or with an error if it never is.
    this.socket.send(message, { binary: true }, (error) => {
      this.unsent -= length;
      this.onSent(error);
      for (const onWritten of written) onWritten(error ?? undefined);
    });
  }
}

const ignore = (): void => undefined;
