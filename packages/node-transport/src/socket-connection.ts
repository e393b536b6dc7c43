import type { Socket } from 'node:net';
import type { Connection, TransportHandlers } from '@courier/core';


/**
 * One TCP or TLS connection. Packets written in the same tick leave in one write (cork until the
 * next tick); `write` returns false when the socket's buffer is full, and `drain` says when to
 * go on, so nothing is buffered without bound.
 */
export class SocketConnection implements Connection {
  private corked = false;
  private ending = false;
  private failure: Error | undefined;
  private readonly uncork = () => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(
    private readonly socket: Socket,
    handlers: TransportHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => handlers.data(chunk));
    socket.on('drain', () => handlers.drain());
    socket.on('error', (error) => {
      this.failure = error;
    });
    socket.once('close', () => handlers.close(this.failure));
  }

  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (this.ending || !socket.writable) return false;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(this.uncork);
    }
    return socket.write(bytes);
  }

  /** Sends what was written, then FIN, then lets go: waiting for the broker's own close adds nothing. */
  close(): void {
    if (this.ending) return;
    this.ending = true;
    const socket = this.socket;
    socket.end(() => socket.destroy());
  }
}
