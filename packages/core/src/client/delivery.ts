import { MqttError } from '../errors';
import type { ClientEventBus } from './client-events';
import type { Message } from './client-types';
import { MessageStream, STREAM_HIGH_WATER } from './message-stream';

/**
 * Everything between "the session says deliver" and "the application has the message": the
 * `message` handlers, the `messages()` streams, and holding delivery back while nothing takes
 * messages or a stream is full. While held, the session keeps QoS 1/2 messages unacknowledged.
 */
export class Delivery {
  readonly #events: ClientEventBus;
  readonly #hold: (held: boolean) => void;
  readonly #streams = new Set<MessageStream>();
  /** Streams at their high-water mark: delivery is held back while there is one. */
  readonly #fullStreams = new Set<MessageStream>();
  #warnedFullStream = false;
  /** Delivery waits while nothing takes messages: no 'message' handler and no stream. */
  #holding = true;
  #releaseQueued = false;
  #ended = false;

  /** `hold(held)` tells the session to hold delivery back, or to go on. Delivery starts held. */
  constructor(events: ClientEventBus, hold: (held: boolean) => void) {
    this.#events = events;
    this.#hold = hold;
  }

  /** Hands a message to every `message` handler and every stream whose filter it matches. */
  deliver(message: Message): void {
    this.#events.emit('message', message);
    for (const stream of this.#streams) stream.offer(message);
  }

  /** A new stream of the messages matching `filter`; one that is already done once the client ended. */
  stream(filter: string | undefined): MessageStream {
    const stream = new MessageStream(
      filter,
      (s) => {
        this.#streams.delete(s);
        this.#fullStreams.delete(s);
        this.update();
      },
      (s, full) => this.#onStreamFull(s, full),
    );
    if (this.#ended) stream.end();
    else this.#streams.add(stream);
    this.update();
    return stream;
  }

  /** Ends every stream (what they buffered is still read); nothing is delivered after. */
  end(): void {
    this.#ended = true;
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
  }

  /**
   * Holds delivery while nothing takes messages, or a stream is full. Messages that arrive before
   * the application has a handler (those a persistent session had waiting come with the CONNACK,
   * before `await connect()` returns) wait for one instead of being emitted to nobody. Delivery
   * resumes in a microtask, so a handler is never called from inside `on()`.
   */
  update(): void {
    const hold = (this.#events.count('message') === 0 && this.#streams.size === 0) || this.#fullStreams.size > 0;
    if (hold === this.#holding) return;
    this.#holding = hold;
    if (hold) {
      this.#hold(true);
      return;
    }
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    queueMicrotask(() => {
      this.#releaseQueued = false;
      if (!this.#holding) this.#hold(false);
    });
  }

  /**
   * A stream nobody reads holds delivery back for every handler and stream, in order, as a full
   * socket would: what is acknowledged must be kept, and memory is not unbounded.
   */
  #onStreamFull(stream: MessageStream, full: boolean): void {
    if (full) {
      this.#fullStreams.add(stream);
      if (!this.#warnedFullStream) {
        this.#warnedFullStream = true;
        this.#events.emit('warning', new MqttError('ERR_NO_CONSUMER', `a messages() stream has ${STREAM_HIGH_WATER} unread messages: delivery waits until it is read`));
      }
    } else {
      this.#fullStreams.delete(stream);
    }
    this.update();
  }
}
