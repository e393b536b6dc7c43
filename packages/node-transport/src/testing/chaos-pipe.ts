import type { Socket } from 'node:net';
import type { ChaosDirection, ChaosFault } from './fault-plan';

/** What a pipe asks of its connection when one of its faults comes due. */
export interface PipeOwner {
  /** Whether faults fire now; a fault that comes due while they do not is skipped. */
  readonly faultsEnabled: boolean;
  fire(fault: ChaosFault, pipe: ChaosPipe): void;
}

/** Bytes waiting for their time, or the end of the stream after them. */
interface Pending {
  bytes: Uint8Array | undefined;
  releaseAt: number;
}

/**
 * One direction of one proxied connection: it forwards bytes from `source` to `destination` in
 * order, counts them, and stops at the exact byte where its next fault is due. Bytes go straight
 * through unless a stall or a delay holds them; then they wait in a queue, in order.
 */
export class ChaosPipe {
  /** Bytes of this direction that have passed so far (including held ones). */
  passed = 0;
  private next: ChaosFault | undefined;
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private holdUntil = 0;
  private latencyMs = 0;
  private latencyUntil = 0;
  private lastReleaseAt = 0;
  private stopped = false;
  private finished = false;

  constructor(
    readonly direction: ChaosDirection,
    private readonly source: Socket,
    private readonly destination: Socket,
    private readonly faults: Iterator<ChaosFault, undefined>,
    private readonly owner: PipeOwner,
  ) {
    this.next = this.take();
    source.on('data', (chunk: Buffer) => this.push(chunk));
    destination.on('drain', () => source.resume());
  }

  /** Bytes from the source: forwarded up to the next fault's byte, the fault fired, and so on. */
  push(chunk: Uint8Array): void {
    let rest = chunk;
    while (!this.stopped && rest.length > 0) {
      const fault = this.next;
      const room = fault === undefined ? Infinity : fault.atByte - this.passed;
      if (room > rest.length) {
        this.forward(rest);
        return;
      }
      this.forward(rest.subarray(0, room));
      rest = rest.subarray(room);
      this.next = this.take();
      if (this.owner.faultsEnabled) this.owner.fire(fault!, this);
    }
  }

  /** The source ended: what it sent still goes through, then the destination ends too. */
  finish(): void {
    if (this.stopped || this.finished) return;
    this.finished = true;
    this.enqueue(undefined);
  }

  /** A cut here: what passed so far still goes through, then the stream ends; nothing more is read. */
  cut(): void {
    this.finish();
    this.stopped = true;
  }

  /** The other direction was cut: whatever waits is lost with the connection. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    clearTimeout(this.timer);
  }

  /** Nothing moves until `until` (ms since the epoch). */
  hold(until: number): void {
    this.holdUntil = Math.max(this.holdUntil, until);
  }

  /** Each chunk from now until `until` is held `latencyMs` before it goes on. */
  slow(latencyMs: number, until: number): void {
    this.latencyMs = latencyMs;
    this.latencyUntil = until;
  }

  private take(): ChaosFault | undefined {
    const step = this.faults.next();
    return step.done === true ? undefined : step.value;
  }

  private forward(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.passed += bytes.length;
    this.enqueue(bytes);
  }

  private enqueue(bytes: Uint8Array | undefined): void {
    const now = Date.now();
    let releaseAt = Math.max(this.holdUntil, now < this.latencyUntil ? now + this.latencyMs : now, this.lastReleaseAt);
    if (this.queue.length === 0 && releaseAt <= now) {
      this.write(bytes);
      return;
    }
    releaseAt = Math.max(releaseAt, now);
    this.lastReleaseAt = releaseAt;
    this.queue.push({ bytes, releaseAt });
    if (this.queue.length === 1) this.schedule();
  }

  private schedule(): void {
    const head = this.queue[0];
    if (head === undefined) return;
    this.timer = setTimeout(() => this.release(), Math.max(0, head.releaseAt - Date.now()));
  }

  private release(): void {
    const now = Date.now();
    let released = 0;
    // A stall that began after these bytes were queued holds them too.
    while (released < this.queue.length && Math.max(this.queue[released]!.releaseAt, this.holdUntil) <= now) {
      this.write(this.queue[released]!.bytes);
      released++;
    }
    this.queue.splice(0, released);
    if (this.queue.length > 0) {
      this.queue[0]!.releaseAt = Math.max(this.queue[0]!.releaseAt, this.holdUntil);
      this.schedule();
    }
  }

  private write(bytes: Uint8Array | undefined): void {
    const destination = this.destination;
    if (destination.destroyed) return;
    if (bytes === undefined) {
      destination.end(() => destination.destroy());
      return;
    }
    if (!destination.write(bytes)) this.source.pause();
  }
}
