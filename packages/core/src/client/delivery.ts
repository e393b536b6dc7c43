import { MqttError } from '../errors';
import type { ReceivedMessage } from '../session/session-types';
import type { ClientEventBus } from './client-events';
import type { Message } from './client-types';
import { Deferred } from './deferred';
import { type Acknowledger, DeliveredMessage } from './delivered-message';
import { MessageStream, type StreamHooks } from './message-stream';

/** What delivery asks of the session. */
export interface DeliverySession {
  /** Hold delivery back (true), or let it go on. Delivery starts held. */
  hold(held: boolean): void;
  /** The application has message `deliveryId`: its PUBACK or PUBREC may go. */
  acknowledge(deliveryId: number): void;
}

const RESOLVED = Promise.resolve();

/**
 * Everything between "the session says deliver" and "the application has the message": the
 * `message` handlers, the `messages()` streams, holding delivery back while nothing takes
 * messages or a stream is full, and when a message counts as the application's. By default that
 * is once every handler has been called and every stream it went to has yielded it; with
 * `manualAcks`, once the application calls its `ack()`. Only then may its PUBACK or PUBREC go:
 * until then the broker still owes it.
 */
export class Delivery implements Acknowledger, StreamHooks {
  readonly #events: ClientEventBus;
  readonly #session: DeliverySession;
  readonly #manualAcks: boolean;
  readonly #streams = new Set<MessageStream>();
  /** Streams at their high-water mark: delivery is held back while there is one. */
  readonly #fullStreams = new Set<MessageStream>();
  /** By default: how many streams still buffer each delivered message. */
  readonly #unread = new Map<number, number>();
  /** With manualAcks: the `ack()` calls waiting for their ack to go out. */
  readonly #acking = new Map<number, Deferred<void>>();
  #warnedFullStream = false;
  /** Delivery waits while nothing takes messages: no 'message' handler and no stream. */
  #holding = true;
  #releaseQueued = false;
  #ended = false;

  constructor(events: ClientEventBus, session: DeliverySession, manualAcks: boolean) {
    this.#events = events;
    this.#session = session;
    this.#manualAcks = manualAcks;
  }

  /** Hands a message to every `message` handler and every stream whose filter it matches. */
  deliver(received: ReceivedMessage, deliveryId: number): void {
    const message = new DeliveredMessage(received, deliveryId, this);
    this.#events.emit('message', message);
    let unread = 0;
    for (const stream of this.#streams) if (stream.offer(message)) unread++;
    if (deliveryId === 0 || this.#manualAcks) return;
    if (unread === 0) this.#session.acknowledge(deliveryId);
    else this.#unread.set(deliveryId, unread);
  }

  /** A stream's buffered message reached the application (or was dropped with the stream). */
  taken(message: Message): void {
    const deliveryId = DeliveredMessage.deliveryIdOf(message);
    const unread = this.#unread.get(deliveryId);
    if (unread === undefined) return;
    if (unread > 1) {
      this.#unread.set(deliveryId, unread - 1);
      return;
    }
    this.#unread.delete(deliveryId);
    this.#session.acknowledge(deliveryId);
  }

  /** `message.ack()`: with manualAcks, lets the ack go; otherwise there is nothing to do. */
  ack(deliveryId: number): Promise<void> {
    if (!this.#manualAcks || deliveryId === 0 || this.#ended) return RESOLVED;
    let acking = this.#acking.get(deliveryId);
    if (acking !== undefined) return acking.promise;
    acking = new Deferred<void>();
    this.#acking.set(deliveryId, acking);
    this.#session.acknowledge(deliveryId);
    return acking.promise;
  }

  /** The ack of message `deliveryId` went out, or never will: its `ack()` settles. */
  ackSent(deliveryId: number): void {
    const acking = this.#acking.get(deliveryId);
    if (acking === undefined) return;
    this.#acking.delete(deliveryId);
    acking.resolve();
  }

  /** A new stream of the messages matching `filter`; one that is already done once the client ended. */
  stream(filter: string | undefined, highWaterMark: number): MessageStream {
    const stream = new MessageStream(filter, highWaterMark, this);
    if (this.#ended) stream.end();
    else this.#streams.add(stream);
    this.update();
    return stream;
  }

  /** A stream stopped: it takes nothing more. */
  returned(stream: MessageStream): void {
    this.#streams.delete(stream);
    this.#fullStreams.delete(stream);
    this.update();
  }

  /**
   * A stream nobody reads holds delivery back for every handler and stream, in order, as a full
   * socket would: memory is not unbounded.
   */
  full(stream: MessageStream, full: boolean): void {
    if (full) {
      this.#fullStreams.add(stream);
      if (!this.#warnedFullStream) {
        this.#warnedFullStream = true;
        this.#events.emit('warning', new MqttError('ERR_NO_CONSUMER', 'a messages() stream is full of unread messages: delivery waits until it is read'));
      }
    } else {
      this.#fullStreams.delete(stream);
    }
    this.update();
  }

  /**
   * Ends every stream (what they buffered is still read); nothing is delivered after. `ack()`
   * calls still waiting settle: their messages stay the broker's, sent again to the next session.
   */
  end(): void {
    this.#ended = true;
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    for (const acking of this.#acking.values()) acking.resolve();
    this.#acking.clear();
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
      this.#session.hold(true);
      return;
    }
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    queueMicrotask(() => {
      this.#releaseQueued = false;
      if (!this.#holding) this.#session.hold(false);
    });
  }
}
