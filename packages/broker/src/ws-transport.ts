import type { WebSocket } from 'ws';
import { HIGH_WATER_BYTES, LINGER_MS, type Transport, type TransportEvents } from './transport';

// A message cut short delivers none of its packets (WebSocket hands over whole messages only), so
// one message holds 64 KiB at most (a larger packet goes alone, as in the clients' transports),
// and a CONNACK goes in a message of its own: sharing one with the resends that follow it, a
// connection cut during the resends lost the CONNACK too and never connected.
const MAX_MESSAGE_BYTES = 64 * 1024;
const CONNACK = 2;

/**
 * A WebSocket connection (MQTT over WebSocket, section 6). The packets written in one tick go out
 * together, in binary messages of up to 64 KiB: MQTT does not need packets aligned with messages
 * [MQTT-6.0.0-2].
 */
export class WsTransport implements Transport {
  readonly kind = 'ws';
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private needDrain = false;
  private ending = false;
  private events: TransportEvents | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly sent = () => this.afterSend();

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
  ) {}

  start(events: TransportEvents): void {
    this.events = events;
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      // MQTT travels in binary messages only; a text message closes the connection [MQTT-6.0.0-1].
      if (!isBinary) this.close('abort');
      else events.data(data);
    });
    this.ws.on('error', () => {}); // 'close' follows
    this.ws.on('close', () => {
      clearTimeout(this.lingerTimer);
      events.closed();
    });
  }

  write(bytes: Uint8Array): void {
    if (this.ending) return;
    if (this.pendingBytes > 0 && this.pendingBytes + bytes.length > MAX_MESSAGE_BYTES) this.flush();
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (bytes[0]! >> 4 === CONNACK) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  get congested(): boolean {
    const congested = this.ws.bufferedAmount + this.pendingBytes >= HIGH_WATER_BYTES;
    if (congested) this.needDrain = true;
    return congested;
  }

  close(mode: 'flush' | 'abort'): void {
    if (mode === 'abort') {
      this.ws.terminate();
      return;
    }
    if (this.ending) return;
    this.flush();
    this.ending = true;
    this.ws.close(1000);
    this.lingerTimer = setTimeout(() => this.ws.terminate(), LINGER_MS);
    this.lingerTimer.unref();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.ws.readyState !== this.ws.OPEN) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.ws.send(data, { binary: true }, this.sent);
  }

  private afterSend(): void {
    if (this.needDrain && !this.congested) {
      this.needDrain = false;
      this.events?.drain();
    }
  }
}
