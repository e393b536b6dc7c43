import type { Connection, Transport, TransportHandlers } from '@courier/core';

/** Options of `webSocketTransport` beyond the URL. */
export interface WebSocketTransportOptions {
  /** Past this many bytes queued in the socket, `write` asks the client to wait (default 1 MiB). */
  highWaterMark?: number;
  /**
   * Put the packets written in the same task into one WebSocket message (up to 64 KiB)
   * [MQTT-6.0.0-2]. Off by default: some brokers (Paho's reference broker) read one message and
   * then wait on the socket, leaving the rest of a coalesced message unread. Turn it on only for
   * a broker known to handle it.
   */
  coalesce?: boolean;
}

/**
 * MQTT over the browser's own WebSocket: binary frames [MQTT-6.0.0-1], subprotocol "mqtt"
 * [MQTT-6.0.0-3]. Packets written in the same task are sent together, each in a WebSocket
 * message of its own (or coalesced, with `coalesce: true`). The browser gives no drain event, so
 * back-pressure is read from `bufferedAmount`, polled only while the socket is over its
 * high-water mark.
 */
export function webSocketTransport(url: string, options: WebSocketTransportOptions = {}): Transport {
  const highWaterMark = options.highWaterMark ?? 1 << 20;
  const coalesce = options.coalesce === true;
  return {
    connect(handlers: TransportHandlers): Promise<Connection> {
      return new Promise((resolve, reject) => {
        let socket: WebSocket;
        try {
          socket = new WebSocket(url, 'mqtt');
        } catch (error) {
          reject(error);
          return;
        }
        socket.binaryType = 'arraybuffer';
        let opened = false;
        socket.onopen = () => {
          opened = true;
          resolve(new BrowserWebSocketConnection(socket, handlers, highWaterMark, coalesce));
        };
        // A failed upgrade fires 'error', then 'close' with its code: the rejection waits for
        // the code. The browser does not tell a refused connection from a server that hung up.
        socket.onclose = (event) => {
          if (!opened) reject(upgradeFailed(url, event.code));
        };
      });
    },
  };
}

/** Why a WebSocket never opened, in the words a person needs when the URL points at the wrong port. */
function upgradeFailed(url: string, code: number): Error {
  const { protocol, host } = new URL(url);
  const tcp = protocol === 'wss:' ? 'mqtts' : 'mqtt';
  return new Error(
    `WebSocket connection to ${url} failed (closed with code ${code} before it opened): no WebSocket server answered there. ` +
      `Nothing listens on that port, or it does not speak WebSocket: an MQTT over TCP port (${tcp}://${host}) hangs up like this, ` +
      `and a browser needs the broker's WebSocket port`,
  );
}

const MAX_FRAME_BYTES = 64 * 1024;
const NOT_WRITTEN = 'the connection closed before these bytes were written';

class BrowserWebSocketConnection implements Connection {
  #batch: Uint8Array[] = [];
  /**
   * The onWritten callbacks of the batch, called once it is handed to the browser's WebSocket
   * (`send`): a page cannot see further, and the browser sends what it was given.
   */
  #batchWritten: ((error?: Error) => void)[] = [];
  #batchBytes = 0;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #failure: Error | undefined;
  readonly #flush = () => this.#sendBatch();

  readonly #socket: WebSocket;
  readonly #handlers: TransportHandlers;
  readonly #highWaterMark: number;
  readonly #coalesce: boolean;

  constructor(
    socket: WebSocket,
    handlers: TransportHandlers,
    highWaterMark: number,
    coalesce: boolean,
  ) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#highWaterMark = highWaterMark;
    this.#coalesce = coalesce;

    socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data !== 'string') {
        handlers.data(new Uint8Array(event.data));
      } else if (this.#failure === undefined) {
        // [MQTT-6.0.0-1]: MQTT travels in binary frames; any other frame closes the connection.
        // (A page may only close with 1000 or 3000-4999: 1003 would throw.)
        this.#failure = new Error('the broker sent a text frame: MQTT goes in binary frames');
        socket.close();
      }
    };
    socket.onclose = (event) => {
      clearTimeout(this.#drainTimer);
      const unsent = this.#batchWritten;
      this.#batch = [];
      this.#batchWritten = [];
      for (const onWritten of unsent) onWritten(new Error(NOT_WRITTEN));
      handlers.close(this.#failure ?? (event.wasClean ? undefined : new Error(`the WebSocket closed (${event.code})`)));
    };
  }

  write(bytes: Uint8Array, onWritten?: (error?: Error) => void): boolean {
    if (this.#socket.readyState !== WebSocket.OPEN) {
      if (onWritten !== undefined) queueMicrotask(() => onWritten(new Error(NOT_WRITTEN)));
      return false;
    }
    // Brokers bound a WebSocket message: a burst of large packets coalesced into one frame
    // would be refused, so a frame holds 64 KiB at most (a larger packet goes alone).
    if (this.#coalesce && this.#batchBytes + bytes.length > MAX_FRAME_BYTES) this.#sendBatch();
    if (this.#batch.length === 0) queueMicrotask(this.#flush);
    this.#batch.push(bytes);
    if (onWritten !== undefined) this.#batchWritten.push(onWritten);
    this.#batchBytes += bytes.length;
    if (this.#socket.bufferedAmount + this.#batchBytes <= this.#highWaterMark) return true;
    this.#watchDrain();
    return false;
  }

  close(): void {
    this.#sendBatch();
    if (this.#socket.readyState <= WebSocket.OPEN) this.#socket.close(1000);
  }

  #sendBatch(): void {
    if (this.#batch.length === 0 || this.#socket.readyState !== WebSocket.OPEN) return;
    const batch = this.#batch;
    const written = this.#batchWritten;
    this.#batch = [];
    this.#batchWritten = [];
    if (batch.length === 1 || !this.#coalesce) {
      for (const bytes of batch) this.#socket.send(bytes);
    } else {
      const frame = new Uint8Array(this.#batchBytes);
      let pos = 0;
      for (const bytes of batch) {
        frame.set(bytes, pos);
        pos += bytes.length;
      }
      this.#socket.send(frame);
    }
    this.#batchBytes = 0;
    for (const onWritten of written) onWritten();
  }

  #watchDrain(): void {
    if (this.#drainTimer !== undefined) return;
    const check = () => {
      this.#drainTimer = undefined;
      if (this.#socket.readyState !== WebSocket.OPEN) return;
      if (this.#socket.bufferedAmount <= this.#highWaterMark / 2) this.#handlers.drain();
      else this.#drainTimer = setTimeout(check, 10);
    };
    this.#drainTimer = setTimeout(check, 10);
  }
}
