import type { Connection, Transport, TransportHandlers } from '../ports/transport';

/** Options of a `MemoryTransport`. */
export interface MemoryTransportOptions {
  /** Bytes the client may have queued before `write` returns false (default 1 MiB). */
  highWaterMark?: number;
}

/**
 * A transport within the process, for tests: each `connect` makes a pair, and the far end (a
 * `MemoryPeer`) goes to `onConnection`, where a scripted broker can answer. Bytes cross on the
 * next microtask, never synchronously, as with a real socket.
 */
export class MemoryTransport implements Transport {
  /** Every far end, in the order the connections opened. */
  readonly peers: MemoryPeer[] = [];
  /** Called with the far end of each new connection: where a scripted broker starts answering. */
  onConnection: ((peer: MemoryPeer) => void) | undefined;
  /** When set, connecting fails with this error (nobody listening). */
  refuseWith: Error | undefined;

  constructor(private readonly options: MemoryTransportOptions = {}) {}

  async connect(handlers: TransportHandlers): Promise<Connection> {
    await Promise.resolve();
    if (this.refuseWith !== undefined) throw this.refuseWith;
    const peer = new MemoryPeer(handlers, this.options.highWaterMark ?? 1 << 20);
    this.peers.push(peer);
    this.onConnection?.(peer);
    return peer.connection;
  }
}

/** The far end of a memory connection: a test plays the broker through it (`send`, `onData`, `close`). */
export class MemoryPeer {
  /** Called with each chunk the client wrote. */
  onData: ((bytes: Uint8Array) => void) | undefined;
  /** Called once when the connection closes, from either end. */
  onClose: (() => void) | undefined;
  readonly connection: Connection;
  private closed = false;
  private buffered = 0;
  private pendingToPeer: Uint8Array[] = [];
  /** The onWritten callbacks of what is in pendingToPeer, called as it reaches the peer. */
  private pendingWritten: ((error?: Error) => void)[] = [];
  private flushScheduled = false;
  private needsDrain = false;

  constructor(
    private readonly handlers: TransportHandlers,
    private readonly highWaterMark: number,
  ) {
    this.connection = {
      write: (bytes, onWritten) => this.clientWrite(bytes, onWritten),
      close: () => this.shutdown(undefined),
    };
  }

  /** Whether the connection has closed, from either end. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends bytes to the client. */
  send(bytes: Uint8Array): void {
    if (this.closed) return;
    const copy = bytes.slice();
    queueMicrotask(() => {
      if (!this.closed) this.handlers.data(copy);
    });
  }

  /** Closes the connection from this end, as a network failure (`error`) or a clean close. */
  close(error?: Error): void {
    this.shutdown(error);
  }

  private clientWrite(bytes: Uint8Array, onWritten?: (error?: Error) => void): boolean {
    if (this.closed) {
      if (onWritten !== undefined) queueMicrotask(() => onWritten(new Error('the connection is closed')));
      return false;
    }
    this.pendingToPeer.push(bytes.slice());
    if (onWritten !== undefined) this.pendingWritten.push(onWritten);
    this.buffered += bytes.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flushToPeer());
    }
    const ok = this.buffered <= this.highWaterMark;
    if (!ok) this.needsDrain = true;
    return ok;
  }

  private flushToPeer(): void {
    this.flushScheduled = false;
    const chunks = this.pendingToPeer;
    const written = this.pendingWritten;
    this.pendingToPeer = [];
    this.pendingWritten = [];
    this.buffered = 0;
    for (const chunk of chunks) {
      if (this.closed) break;
      this.onData?.(chunk);
    }
    const error = this.closed ? new Error('the connection closed before these bytes were written') : undefined;
    for (const onWritten of written) onWritten(error);
    if (this.closed) return;
    if (this.needsDrain && !this.closed) {
      this.needsDrain = false;
      this.handlers.drain();
    }
  }

  /** Closes after delivering what was written before, like a socket's end(). */
  private shutdown(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    const unsent = this.pendingToPeer;
    const written = this.pendingWritten;
    this.pendingToPeer = [];
    this.pendingWritten = [];
    queueMicrotask(() => {
      for (const chunk of unsent) this.onData?.(chunk);
      for (const onWritten of written) onWritten();
      this.handlers.close(error);
      this.onClose?.();
    });
  }
}
