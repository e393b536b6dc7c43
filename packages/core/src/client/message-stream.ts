import { topicMatches } from '../topic/topic-filter';
import { Fifo } from '../util/fifo';
import type { Message } from './client-types';

/** Unread messages at which a stream is full by default: delivery then waits until it is read down to half. */
export const STREAM_HIGH_WATER = 1000;

/** What a stream tells its owner. */
export interface StreamHooks {
  /** The loop broke out or called return(): the stream takes nothing more. */
  returned(stream: MessageStream): void;
  /** The stream reached its high-water mark (true), or was read down to half of it (false). */
  full(stream: MessageStream, full: boolean): void;
  /** A buffered message left the stream: yielded to the application, or dropped by return(). */
  taken(message: Message): void;
}

/**
 * The messages of `client.messages(filter)`: an async iterator that buffers what arrives until it
 * is read, and ends when the client ends or the loop breaks out. The buffer is bounded: at the
 * high-water mark, `full(true)` asks the client to hold delivery back (QoS 1/2 then wait
 * unacknowledged, so a fast broker cannot fill memory); `full(false)` once read to half.
 */
export class MessageStream implements AsyncIterableIterator<Message> {
  readonly #buffer = new Fifo<Message>();
  #waiting: ((result: IteratorResult<Message>) => void) | undefined;
  #done = false;
  #full = false;

  readonly #filter: string | undefined;
  readonly #highWaterMark: number;
  readonly #hooks: StreamHooks;

  constructor(filter: string | undefined, highWaterMark: number, hooks: StreamHooks) {
    this.#filter = filter;
    this.#highWaterMark = highWaterMark;
    this.#hooks = hooks;
  }

  /**
   * Offers a message; it is kept if it matches the stream's filter. Returns true when it waits in
   * the buffer (`taken` follows when it leaves), false when a reader took it at once or it is not
   * for this stream.
   */
  offer(message: Message): boolean {
    if (this.#done || (this.#filter !== undefined && !topicMatches(this.#filter, message.topic))) return false;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting({ value: message, done: false });
      return false;
    }
    this.#buffer.push(message);
    if (!this.#full && this.#buffer.length >= this.#highWaterMark) {
      this.#full = true;
      this.#hooks.full(this, true);
    }
    return true;
  }

  /** Ends the stream: what is buffered is still read, then it reports done. */
  end(): void {
    this.#done = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Message>> {
    const message = this.#buffer.shift();
    if (this.#full && this.#buffer.length <= this.#highWaterMark / 2) {
      this.#full = false;
      this.#hooks.full(this, false);
    }
    if (message !== undefined) {
      this.#hooks.taken(message);
      return Promise.resolve({ value: message, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  /** Stops the stream. What it still buffered is dropped: the application chose not to read it. */
  return(): Promise<IteratorResult<Message>> {
    for (let message = this.#buffer.shift(); message !== undefined; message = this.#buffer.shift()) this.#hooks.taken(message);
    this.#full = false;
    this.end();
    this.#hooks.returned(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
    return this;
  }
}
