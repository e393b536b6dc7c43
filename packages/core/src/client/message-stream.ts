import type { ReceivedMessage } from '../session/session-types';
import { Fifo } from '../util/fifo';
import { topicMatches } from '../topic/topic-filter';

/** Unread messages at which a stream is full: delivery then waits until it is read down to half. */
export const STREAM_HIGH_WATER = 1000;

/**
 * The messages of `client.messages(filter)`: an async iterator that buffers what arrives until it
 * is read, and ends when the client ends or the loop breaks out. The buffer is bounded: at
 * STREAM_HIGH_WATER unread, `onFull(true)` asks the client to hold delivery back (QoS 1/2 then
 * wait unacknowledged, so a fast broker cannot fill memory); `onFull(false)` once read to half.
 */
export class MessageStream implements AsyncIterableIterator<ReceivedMessage> {
  readonly #buffer = new Fifo<ReceivedMessage>();
  #waiting: ((result: IteratorResult<ReceivedMessage>) => void) | undefined;
  #done = false;
  #full = false;

  readonly #filter: string | undefined;
  readonly #onReturn: (stream: MessageStream) => void;
  readonly #onFull: (stream: MessageStream, full: boolean) => void;

  constructor(
    filter: string | undefined,
    onReturn: (stream: MessageStream) => void,
    onFull: (stream: MessageStream, full: boolean) => void,
  ) {
    this.#filter = filter;
    this.#onReturn = onReturn;
    this.#onFull = onFull;
  }

  /** Offers a message; it is kept if it matches the stream's filter. */
  offer(message: ReceivedMessage): void {
    if (this.#done || (this.#filter !== undefined && !topicMatches(this.#filter, message.topic))) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting({ value: message, done: false });
    } else {
      this.#buffer.push(message);
      if (!this.#full && this.#buffer.length >= STREAM_HIGH_WATER) {
        this.#full = true;
        this.#onFull(this, true);
      }
    }
  }

  /** Ends the stream: what is buffered is still read, then it reports done. */
  end(): void {
    this.#done = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<ReceivedMessage>> {
    const message = this.#buffer.shift();
    if (this.#full && this.#buffer.length <= STREAM_HIGH_WATER / 2) {
      this.#full = false;
      this.#onFull(this, false);
    }
    if (message !== undefined) return Promise.resolve({ value: message, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ReceivedMessage>> {
    this.#buffer.clear();
    this.#full = false;
    this.end();
    this.#onReturn(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ReceivedMessage> {
    return this;
  }
}
