import type { ReceivedMessage } from '../session/session-types';
import { topicMatches } from '../topic/topic-filter';

/**
 * The messages of `client.messages(filter)`: an async iterator that buffers what arrives until it
 * is read, and ends when the client ends or the loop breaks out.
 */
export class MessageStream implements AsyncIterableIterator<ReceivedMessage> {
  readonly #buffer: ReceivedMessage[] = [];
  #waiting: ((result: IteratorResult<ReceivedMessage>) => void) | undefined;
  #done = false;

  readonly #filter: string | undefined;
  readonly #onReturn: (stream: MessageStream) => void;

  constructor(
    filter: string | undefined,
    onReturn: (stream: MessageStream) => void,
  ) {
    this.#filter = filter;
    this.#onReturn = onReturn;
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
    if (message !== undefined) return Promise.resolve({ value: message, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ReceivedMessage>> {
    this.#buffer.length = 0;
    this.end();
    this.#onReturn(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ReceivedMessage> {
    return this;
  }
}
