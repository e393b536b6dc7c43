import { ON_WIRE, type OutgoingMessage } from './outgoing-message';

/**
 * The messages waiting for an ack, in the order they were sent, so that the first one due is at
 * the front: `first()` and the timeout check cost O(1) per message however many are in flight.
 *
 * Design: each send appends (message, send time); an entry goes stale when its message is acked,
 * sent again (a newer entry stands for it) or the connection drops, and is skipped then. Before
 * this, the order was kept by moving the message to the end of a `Map`: V8 leaves a hole per
 * move and per delete until the table is rebuilt, and finding the first message due walked over
 * them on every input, which made a window of thousands cost O(n) per ack.
 *
 * Stale entries behind a current one (a message still waiting while those sent after it are
 * acked) are squeezed out once they outnumber the current ones: memory stays proportional to
 * what is in flight, and each entry is moved O(1) times.
 */
export class AckDeadlines {
  #messages: (OutgoingMessage | undefined)[] = [];
  #sentAt: number[] = [];
  #head = 0;
  /** How many entries (from the head on) before the next squeeze. */
  #squeezeAt = SQUEEZE_AT_LEAST;

  /** Entries held, stale ones included. */
  get entries(): number {
    return this.#messages.length - this.#head;
  }

  /** `message` went out at `message.sentAt` (it is ON_WIRE). */
  push(message: OutgoingMessage): void {
    this.#messages.push(message);
    this.#sentAt.push(message.sentAt);
    if (this.entries >= this.#squeezeAt) this.#squeeze();
  }

  /** The message sent longest ago that still waits for its ack, if any. */
  first(): OutgoingMessage | undefined {
    // Re-read each pass: dropping the head may compact the arrays.
    while (this.#head < this.#messages.length) {
      const message = this.#messages[this.#head] as OutgoingMessage;
      if (this.#isCurrent(message, this.#head)) return message;
      this.#dropHead();
    }
    return undefined;
  }

  /** The waiting messages sent at or before `sentBy`, in send order; each once. */
  sentBy(sentBy: number): OutgoingMessage[] {
    // A Set: a message sent twice in the same millisecond (PUBLISH, then PUBREL) has two entries.
    const due = new Set<OutgoingMessage>();
    const messages = this.#messages;
    for (let i = this.#head; i < messages.length; i++) {
      if ((this.#sentAt[i] as number) > sentBy) break;
      const message = messages[i] as OutgoingMessage;
      if (this.#isCurrent(message, i)) due.add(message);
    }
    return [...due];
  }

  clear(): void {
    this.#messages = [];
    this.#sentAt = [];
    this.#head = 0;
    this.#squeezeAt = SQUEEZE_AT_LEAST;
  }

  /** Whether entry `i` is the message's latest send and it still waits for the ack of it. */
  #isCurrent(message: OutgoingMessage, i: number): boolean {
    return message.has(ON_WIRE) && message.sentAt === this.#sentAt[i];
  }

  /** Keeps the current entries only, in order. */
  #squeeze(): void {
    const messages: OutgoingMessage[] = [];
    const sentAt: number[] = [];
    for (let i = this.#head; i < this.#messages.length; i++) {
      const message = this.#messages[i] as OutgoingMessage;
      if (!this.#isCurrent(message, i)) continue;
      messages.push(message);
      sentAt.push(this.#sentAt[i] as number);
    }
    this.#messages = messages;
    this.#sentAt = sentAt;
    this.#head = 0;
    this.#squeezeAt = Math.max(SQUEEZE_AT_LEAST, 2 * messages.length);
  }

  #dropHead(): void {
    this.#messages[this.#head++] = undefined;
    if (this.#head >= 1024 && this.#head * 2 >= this.#messages.length) {
      this.#messages = this.#messages.slice(this.#head);
      this.#sentAt = this.#sentAt.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** Fewer entries than this are never squeezed: a small window costs no squeezing at all. */
const SQUEEZE_AT_LEAST = 1024;
