import type { Socket } from 'node:net';
import { HIGH_WATER_BYTES, HIGH_WATER_WRITES, LINGER_MS, type Transport, type TransportEvents } from './transport';

/**
 * A TCP connection. Writes made while handling one chunk are corked and go out together at the
 * end of the tick: one system call for a burst of acknowledgements and messages, not one each.
 */
export class TcpTransport implements Transport {
  readonly kind = 'tcp';
  readonly remoteAddress: string;
  private corked = false;
  private ending = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  // Writes waiting in the socket since it last asked us to wait for 'drain'.
  private waitingWrites = 0;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  }

  start(events: TransportEvents): void {
    this.socket.on('data', (chunk: Buffer) => events.data(chunk));
    this.socket.on('drain', () => {
      this.waitingWrites = 0;
      events.drain();
    });
    this.socket.on('error', () => {}); // 'close' follows, which is what the connection needs
    this.socket.on('close', () => {
      clearTimeout(this.lingerTimer);
      events.closed();
    });
  }

  write(bytes: Uint8Array): void {
    if (this.ending || this.socket.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => this.uncork());
    }
    this.socket.write(bytes);
    if (this.socket.writableNeedDrain) this.waitingWrites++;
  }

  get congested(): boolean {
    return this.socket.writableLength >= HIGH_WATER_BYTES || this.waitingWrites >= HIGH_WATER_WRITES;
  }

  close(mode: 'flush' | 'abort'): void {
    if (mode === 'abort') {
      this.socket.destroy();
      return;
    }
    if (this.ending) return;
    this.uncork();
    this.ending = true;
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    this.lingerTimer.unref();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }
}
