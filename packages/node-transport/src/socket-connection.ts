import type { Socket } from 'node:net';
import type { Connection, TransportHandlers } from '@courier/core';
import { httpAnswer } from './http-answer';

const RESOLVED = Promise.resolve();

/**
 * One TCP or TLS connection. Packets written in one synchronous run leave in one write, handed to
 * the socket in a microtask (a nextTick would wait for the whole microtask queue, and an
 * application looping `for await` over buffered messages keeps it busy, so its acks would sit
 * here while it processed message after message); the socket is corked only when the batch has
 * more than one run, or a large one, so that they leave in one writev. `write` returns false
 * when the socket's buffer is full, and `drain` says when to go on, so nothing is buffered
 * without bound.
 *
 * Packets that lie next to each other in memory (the codec packs small ones into a shared slab)
 * are handed to the socket as one view: one stream write for a run of acks and publishes instead
 * of one each, without copying.
 *
 * The first bytes from the server are looked at once: an HTTP answer (a WebSocket port) closes
 * the connection with the error `wrongPort` makes, instead of reaching the decoder as garbage.
 *
 * Reads are coalesced under a fast stream (plain TCP only, `coalesceReadsMs`): when a read came
 * less than half that long after the one before and held only QoS 0 messages while the client
 * awaits nothing (`handlers.data` says so), reading stops for that long, or until the next write,
 * which may await an answer. A subscriber that keeps up with a broker writing packet by packet
 * otherwise wakes for every one to three messages, and the wake-ups, not the messages, are most
 * of its CPU (bench/RESULTS.md). Slower streams are read as they arrive: a hold that catches a
 * message or two costs more (a timer, a stop and a start) than the reads it saves.
 */
export class SocketConnection implements Connection {
  /** A microtask will hand the run to the socket. */
  private scheduled = false;
  /** The socket is corked: this batch has more than one run, or a large one. */
  private corked = false;
  private ending = false;
  private failure: Error | undefined;
  /** The run of adjacent bytes not yet handed to the socket: [runStart, runEnd) of runBuffer. */
  private runBuffer: ArrayBufferLike | undefined;
  private runStart = 0;
  private runEnd = 0;
  /** The onWritten callbacks of the run: called when the socket has handed it to the OS. */
  private runWritten: ((error?: Error) => void)[] = [];
  /** The batch's microtask: hands the run to the socket, and uncorks it if the batch corked it. */
  private readonly flushBatch = () => {
    this.scheduled = false;
    this.flushRun();
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  };

  /** The first bytes from the server, until they tell MQTT from an HTTP answer. */
  private first: Uint8Array | undefined = new Uint8Array(0);

  /** Reading is stopped until `holdTimer` or the next write. */
  private holding = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private lastReadAt = -Infinity;
  private readonly release = () => {
    if (!this.holding) return;
    this.holding = false;
    this.socket.resume();
  };

  /**
   * `reads`: 'events' when the socket emits 'data' (TLS), 'given' when its owner reads it with
   * `onread` and hands each chunk to `received` (plain TCP), which says when to stop reading for
   * `coalesceReadsMs` (0: never).
   */
  constructor(
    private readonly socket: Socket,
    private readonly handlers: TransportHandlers,
    private readonly wrongPort: (statusLine: string) => Error,
    reads: 'events' | 'given' = 'events',
    private readonly coalesceReadsMs = 0,
  ) {
    if (reads === 'events') socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('drain', () => handlers.drain());
    socket.on('error', (error) => {
      this.failure ??= error;
    });
    socket.once('close', () => {
      clearTimeout(this.holdTimer);
      handlers.close(this.failure);
    });
  }

  /** Bytes from the server, in order. Returns false when the owner should stop reading: `release` resumes. */
  received(chunk: Uint8Array): boolean {
    const first = this.first;
    if (first === undefined) return this.readOn(this.handlers.data(chunk) === true);
    const bytes = first.length === 0 ? chunk : concat(first, chunk);
    const answer = httpAnswer(bytes);
    if (answer === 'undecided') {
      this.first = bytes;
    } else if (answer === 'mqtt') {
      this.first = undefined;
      return this.readOn(this.handlers.data(bytes) === true);
    } else {
      this.failure ??= this.wrongPort(answer.statusLine);
      this.socket.destroy();
    }
    return true;
  }

  /** Whether to read on at once: not when `quiet` arrived right after the read before (a fast stream). */
  private readOn(quiet: boolean): boolean {
    const holdMs = this.coalesceReadsMs;
    if (holdMs === 0) return true;
    const now = performance.now();
    const streaming = now - this.lastReadAt < holdMs / 2;
    this.lastReadAt = now;
    if (!quiet || !streaming || this.ending) return true;
    this.holding = true;
    if (this.holdTimer === undefined) this.holdTimer = setTimeout(this.release, holdMs).unref();
    else this.holdTimer.refresh();
    return false;
  }

  write(bytes: Uint8Array, onWritten?: (error?: Error) => void): boolean {
    const socket = this.socket;
    if (this.ending || !socket.writable) {
      if (onWritten !== undefined) process.nextTick(onWritten, new Error('the connection is closed'));
      return false;
    }
    // What is written may await an answer: read it as soon as it comes.
    if (this.holding) this.release();
    if (!this.scheduled) {
      this.scheduled = true;
      // A resolved promise's then, not queueMicrotask: Node's queueMicrotask wraps each callback
      // in an AsyncResource, a cost per batch that a publisher awaiting each publish pays per message.
      void RESOLVED.then(this.flushBatch);
    }
    if (bytes.buffer === this.runBuffer && bytes.byteOffset === this.runEnd) {
      this.runEnd += bytes.byteLength;
    } else {
      // A second run in this batch: cork, so that the runs leave in one writev. A batch of one
      // run (a publisher awaiting each publish) is one plain write, without cork and uncork.
      if (this.runBuffer !== undefined) this.cork();
      this.flushRun();
      this.runBuffer = bytes.buffer;
      this.runStart = bytes.byteOffset;
      this.runEnd = bytes.byteOffset + bytes.byteLength;
    }
    if (onWritten !== undefined) this.runWritten.push(onWritten);
    // A run as large as the socket's buffer goes now, so that the socket itself says when it is
    // full: it emits 'drain' only after a write of its own returned false.
    if (this.runEnd - this.runStart >= socket.writableHighWaterMark) {
      this.cork();
      this.flushRun();
    }
    return !socket.writableNeedDrain;
  }

  /** Sends what was written, then FIN, then lets go: waiting for the broker's own close adds nothing. */
  close(): void {
    if (this.ending) return;
    this.ending = true;
    this.flushRun();
    const socket = this.socket;
    socket.end(() => socket.destroy());
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
  }

  private flushRun(): void {
    const buffer = this.runBuffer;
    if (buffer === undefined) return;
    this.runBuffer = undefined;
    const written = this.runWritten;
    this.runWritten = [];
    // A plain view: the stream makes it a Buffer without Buffer.from's argument checks.
    const bytes = new Uint8Array(buffer, this.runStart, this.runEnd - this.runStart);
    if (!this.socket.writable) {
      for (const onWritten of written) process.nextTick(onWritten, new Error('the connection closed before these bytes were written'));
    } else if (written.length === 0) {
      this.socket.write(bytes);
    } else {
      // Node calls back once the bytes are handed to the OS, or with an error if they never are.
      this.socket.write(bytes, (error) => {
        for (const onWritten of written) onWritten(error ?? undefined);
      });
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
