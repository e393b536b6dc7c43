import type { ProtocolVersion } from '../codec/packet';
import { AbortError, AuthenticationError, ClientEndedError, InvalidArgumentError, MqttError, OutboxError } from '../errors';
import type { Clock } from '../ports/clock';
import { Session } from '../session/session';
import type { OutboxEntry, PublishRequest, PublishResult, SessionInput, SubscribeResult, UnsubscribeResult } from '../session/session-types';
import type { EnhancedAuthentication } from './auth-steps';
import { topicFilterProblem } from '../topic/topic-filter';
import { resolveBrokers } from './broker-list';
import { ClientEventBus } from './client-events';
import { type ClientSettings, type CreateClientOptions, resolveOptions } from './client-options';
import type { ClientEvents, ConnectInfo, EndOptions, Message, MessagesOptions, PublishOptions, SubscribeOptions, UnsubscribeOptions } from './client-types';
import { ConnectionLoop } from './connection-loop';
import { handled } from './deferred';
import { Delivery } from './delivery';
import { STREAM_HIGH_WATER } from './message-stream';
import { describePacket } from './packet-tap';
import { openOutbox } from './open-outbox';
import { PendingOperations } from './pending-operations';
import { checkedLater, publishRequestOf, subscriptionsOf, unsubscribeFiltersOf } from './request-checks';
import { SessionDriver } from './session-driver';

/**
 * An MQTT client: publish, subscribe, receive, with the delivery contract of the session behind
 * it. It connects through its transport as soon as it is created and reconnects by itself.
 * Create one with `connect()` or `createClient()` (from `@courier/node` or `@courier/browser`).
 *
 * This class is the facade: the API and the wiring. The work is in the modules beside it: the
 * session driver (the session's inputs, actions, outbox writes and timer), the connection loop,
 * the pending operations, delivery to the application, and the checks of requests.
 * @hideconstructor
 */
export class MqttClient {
  readonly #settings: ClientSettings;
  readonly #session: Session;
  readonly #clock: Clock;
  readonly #events: ClientEventBus;
  readonly #driver: SessionDriver;
  readonly #loop: ConnectionLoop;
  readonly #operations = new PendingOperations();
  readonly #delivery: Delivery;
  readonly #opened: Promise<void>;
  #outboxClose: (() => Promise<void>) | undefined;
  #openError: MqttError | undefined;
  #nextMessageId = 1;
  #ending: Promise<void> | undefined;
  /** Enhanced authentication, loaded before the first connection when there is an authenticationMethod. */
  #auth: EnhancedAuthentication | undefined;

  constructor(options: CreateClientOptions) {
    this.#settings = resolveOptions(options);
    const brokers = resolveBrokers(options);
    this.#clock = this.#settings.clock;
    this.#session = new Session(this.#settings.session);
    this.#session.handle({ type: 'deliveryHeld', held: true }, this.#clock.now());
    this.#events = new ClientEventBus((event) => {
      if (event === 'message') this.#delivery.update();
      if (event === 'packet') this.#tap();
    });
    const dispatch = (input: SessionInput) => this.#driver.dispatch(input);
    this.#delivery = new Delivery(
      this.#events,
      { hold: (held) => dispatch({ type: 'deliveryHeld', held }), acknowledge: (deliveryId) => dispatch({ type: 'ackRequested', deliveryId }) },
      this.#settings.manualAcks,
    );
    this.#loop = new ConnectionLoop({
      settings: this.#settings,
      brokers,
      clock: this.#clock,
      session: this.#session,
      events: this.#events,
      dispatch,
      beforeConnect: options.beforeConnect,
      transportFor: options.transportFor,
    });
    this.#driver = new SessionDriver(this.#session, this.#clock, {
      send: (packet, onWritten) => this.#loop.send(packet, onWritten),
      closeConnection: (error) => this.#loop.close(error),
      deliver: (message, deliveryId) => this.#delivery.deliver(message, deliveryId),
      ackSent: (deliveryId) => this.#delivery.ackSent(deliveryId),
      settle: (action) => this.#operations.settle(action),
      notify: (event) => {
        // What concerns the connection goes to its loop; the rest are events as they are.
        if (event.name === 'warning') this.#events.emit('warning', event.error);
        else if (event.name === 'reauthenticated') this.#auth?.reauthenticated(event.error);
        else if (event.name !== 'sessionLost') this.#loop.onSessionEvent(event);
        else this.#events.emit('sessionLost', { republished: event.republished, settledAsDelivered: event.settledAsDelivered, unacknowledgedReceived: event.unacknowledgedReceived });
      },
      outboxFailed: (error) => this.#events.emit('error', error),
      authenticate: (action) => this.#auth?.step(action),
    });
    this.#opened = handled(this.#open());
  }

  /** Describes packets to the `packet` event while it has a handler, and not otherwise. */
  #tap(): void {
    const payloads = this.#settings.debugPayloads;
    this.#loop.tap =
      this.#events.count('packet') === 0 ? undefined : (direction, packet, size) => this.#events.emit('packet', describePacket(direction, packet, size, payloads));
  }

  /** The client id on the wire (a 5.0 broker may have assigned it). */
  get clientId(): string {
    return this.#session.clientId;
  }

  /** The version of the current or next connection. */
  get protocolVersion(): ProtocolVersion {
    return this.#session.protocolVersion;
  }

  /** Whether a connection is open and accepted now; `whenConnected()` waits for one. */
  get connected(): boolean {
    return this.#loop.connected;
  }

  /**
   * Listens to a lifecycle event (see {@link ClientEvents}). A `message` handler also starts
   * delivery: messages that arrive before any handler or stream wait for one, unacknowledged.
   * A handler that throws is reported as an `ERR_HANDLER` error and stops nothing else.
   * @example client.on('message', (message) => console.log(message.topic, message.payload));
   */
  on<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    this.#events.on(event, handler);
    return this;
  }

  /**
   * Listens to the next `event` only. Node's `events.once(client, 'connect')` and `events.on(client,
   * 'message')` work with a client too (in TypeScript, cast it: Node's types want an EventEmitter).
   * @example client.once('connect', (info) => console.log('session present:', info.sessionPresent));
   */
  once<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    this.#events.once(event, handler);
    return this;
  }

  /**
   * Stops listening; pass the handler given to `on()` or `once()`.
   * @example
   * ```ts
   * const onWarning = (warning: MqttError) => console.warn(warning.code, warning.message);
   * client.on('warning', onWarning);
   * client.off('warning', onWarning);
   * ```
   */
  off<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    this.#events.off(event, handler);
    return this;
  }

  /**
   * The same as `off()`, under the name Node's `events.once()` and `events.on()` call.
   * @example const [info] = await once(client, 'connect'); // once from 'node:events'
   */
  removeListener<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    return this.off(event, handler);
  }

  /**
   * Resolves on the next successful CONNACK (at once when connected); rejects when that attempt
   * fails: `ConnectRefusedError` (refused, with its reason code), `ConnectionError` (timed out,
   * unreachable), `ClientEndedError` (the client ended), `OutboxError` (the outbox did not open).
   * @example const { sessionPresent, url } = await client.whenConnected();
   */
  whenConnected(): Promise<ConnectInfo> {
    return this.#loop.whenConnected();
  }

  /**
   * Publishes a message. QoS 0 settles once its bytes are written to the socket, QoS 1 on PUBACK,
   * QoS 2 on PUBCOMP. While offline it waits (QoS 1/2 in the outbox). Invalid input rejects at once
   * (5.0 properties given before the client has opened: once it has loaded their codec, still before
   * anything is queued).
   * Rejects with InvalidArgumentError, QueueFullError, PublishRejectedError (a 5.0 reason code
   * of 0x80 or more), AbortError or ClientEndedError. The promise is made when first awaited
   * (one not awaited costs little memory, and its rejection is never an unhandled one), so it is
   * not `instanceof Promise`: `Promise.resolve(client.publish(...))` gives a native one.
   * @example const { id } = await client.publish('sensors/1', '21.5', { qos: 1 });
   */
  publish(topic: string, payload: Uint8Array | string, options: PublishOptions = {}): Promise<PublishResult> {
    let request: PublishRequest;
    const version = this.#session.protocolVersion;
    try {
      this.#checkOpen();
      request = publishRequestOf(topic, payload, options, version);
    } catch (error) {
      return handled(Promise.reject(error));
    }
    const signal = options.signal;
    if (signal?.aborted === true) return handled(Promise.reject(new AbortError(false, { cause: signal.reason })));
    if (this.#outboxClose !== undefined) return this.#publishNow(request, signal);
    const later = checkedLater(options.properties, version);
    return handled(this.#opened.then(() => this.#publishNow(later ? publishRequestOf(topic, request.payload, options, version) : request, signal)));
  }

  /**
   * Subscribes to one or more topic filters; resolves with the granted QoS of each. Rejects with
   * InvalidArgumentError, SubscribeRejectedError (the broker refused a filter) or ClientEndedError.
   * @example await client.subscribe(['sensors/+', 'alerts/#'], { qos: 2 });
   */
  subscribe(filters: string | string[], options: SubscribeOptions = {}): Promise<SubscribeResult> {
    let input: SessionInput & { type: 'subscribeRequested' };
    const version = this.#session.protocolVersion;
    try {
      this.#checkOpen();
      input = { type: 'subscribeRequested', id: 0, subscriptions: subscriptionsOf(filters, options, version) };
    } catch (error) {
      return handled(Promise.reject(error));
    }
    if (options.properties !== undefined) input.properties = options.properties;
    const later = checkedLater(options.properties, version);
    return this.#operation(() => {
      if (later) subscriptionsOf(filters, options, version);
      const { id, promise } = this.#operations.addRequest<SubscribeResult>();
      this.#driver.dispatch({ ...input, id });
      return promise;
    });
  }

  /**
   * Unsubscribes from one or more topic filters; resolves on UNSUBACK (with 5.0 reason codes).
   * @example await client.unsubscribe('sensors/+');
   */
  unsubscribe(filters: string | string[], options: UnsubscribeOptions = {}): Promise<UnsubscribeResult> {
    let topicFilters: string[];
    const version = this.#session.protocolVersion;
    try {
      this.#checkOpen();
      topicFilters = unsubscribeFiltersOf(filters, options, version);
    } catch (error) {
      return handled(Promise.reject(error));
    }
    const later = checkedLater(options.properties, version);
    return this.#operation(() => {
      if (later) unsubscribeFiltersOf(filters, options, version);
      const { id, promise } = this.#operations.addRequest<UnsubscribeResult>();
      const input: SessionInput = { type: 'unsubscribeRequested', id, topicFilters };
      if (options.properties !== undefined) input.properties = options.properties;
      this.#driver.dispatch(input);
      return promise;
    });
  }

  /**
   * Received messages (matching `filter`, when given) as an async iterable; it ends with the
   * client. A QoS 1/2 message is acknowledged once the loop has it (with `manualAcks`, once it
   * calls `ack()`). At `highWaterMark` unread messages (1,000) delivery waits for it to be read,
   * with an `ERR_NO_CONSUMER` warning: end a stream you no longer read (`break` or `return()`);
   * what it still holds is then dropped.
   * @example for await (const message of client.messages('sensors/#')) console.log(message.topic);
   */
  messages(filter?: string, options: MessagesOptions = {}): AsyncIterableIterator<Message> {
    if (filter !== undefined) {
      const problem = topicFilterProblem(filter);
      if (problem !== undefined) throw new InvalidArgumentError(problem);
    }
    const highWaterMark = options.highWaterMark ?? STREAM_HIGH_WATER;
    if (!Number.isInteger(highWaterMark) || highWaterMark < 1) throw new InvalidArgumentError('highWaterMark must be a whole number of messages, 1 or more');
    return this.#delivery.stream(filter, highWaterMark);
  }

  /**
   * Re-authenticates on the open connection with the `authenticate` handler (5.0 enhanced
   * authentication [MQTT-4.12.1]): sends AUTH 0x19 with the same method, answers the broker's
   * challenges, and resolves on its AUTH success. Rejects (and the connection closes) when the
   * broker refuses, the handler throws, or no answer comes within `connectTimeoutMs`; rejects at
   * once without an `authenticationMethod` or a connection (after `end()` too). A call while one
   * runs joins it.
   * @example setInterval(() => client.reauthenticate().catch(console.error), 50 * 60_000);
   */
  reauthenticate(): Promise<void> {
    return this.#auth?.reauthenticate() ?? handled(Promise.reject(new AuthenticationError('reauthenticate() needs an authenticationMethod')));
  }

  /**
   * What is still owed (QoS 1/2 messages not fully acknowledged), after a restart too, in order.
   * Rejects with `OutboxError` when the outbox could not be opened.
   * @example console.log(`${(await client.pending()).length} messages owed from the last run`);
   */
  pending(): Promise<OutboxEntry[]> {
    return handled(this.#opened.then(() => this.#session.pending()));
  }

  /**
   * Resolves when message `id` (from a publish, or from `pending()` after a restart) is delivered,
   * and at once for an id that is no longer owed.
   * @example for (const { id } of await client.pending()) await client.delivered(id);
   */
  delivered(id: number): Promise<PublishResult> {
    return handled(this.#opened.then(() => (this.#session.owes(id) ? this.#operations.addDeliveryWaiter(id) : { id })));
  }

  /**
   * Ends the client: waits for what is in flight (unless `force`), sends DISCONNECT, closes the
   * connection and the outbox. A forced end rejects what it abandons (`ClientEndedError`); its
   * durable records stay. Calling it again returns the same promise.
   * @example await client.end({ timeoutMs: 5_000 }); // waits at most 5 s for acks, then forces
   */
  end(options: EndOptions = {}): Promise<void> {
    this.#ending ??= this.#finish(options);
    return this.#ending;
  }

  /** Opens the outbox, restores what it holds into the session, then connects. */
  async #open(): Promise<void> {
    try {
      await this.#loadEnhancedAuthentication();
      const waiting = (message: string) => this.#events.emit('warning', new OutboxError(message));
      const outbox = await openOutbox(this.#settings.outbox, this.#session.clientId, this.#session.protocolVersion, { waiting });
      if (this.#ending !== undefined) {
        await outbox.close();
        return;
      }
      this.#driver.outbox = outbox;
      this.#outboxClose = () => outbox.close();
      this.#nextMessageId = Math.max(1, outbox.restored.nextId);
      for (const damage of outbox.restored.damage ?? []) {
        this.#events.emit('warning', new OutboxError(`the outbox skipped ${damage.bytes} unreadable bytes at ${damage.where}: ${damage.reason}`));
      }
      // What the store could not promise, e.g. a durable session without IndexedDB: said, not silent.
      for (const warning of outbox.restored.warnings ?? []) this.#events.emit('warning', new OutboxError(warning));
      this.#driver.dispatch({ type: 'restore', snapshot: outbox.restored });
    } catch (error) {
      this.#openError = error instanceof MqttError ? error : new OutboxError('the outbox could not be opened', { cause: error });
      this.#loop.startFailed(this.#openError);
      this.#events.emit('error', this.#openError);
      throw this.#openError;
    }
    this.#loop.start();
  }

  /** Loads enhanced authentication when the options ask for it, before the first connection. */
  async #loadEnhancedAuthentication(): Promise<void> {
    const authenticate = this.#settings.authenticate;
    if (authenticate === undefined) return;
    const { AuthFlow, EnhancedAuthentication } = await import('./auth-steps').catch((error: unknown) => {
      throw new AuthenticationError('could not load enhanced authentication', { cause: error });
    });
    this.#session.useAuthFlow(AuthFlow);
    this.#auth = new EnhancedAuthentication(authenticate, (input) => this.#driver.dispatch(input), AuthenticationError);
  }

  #publishNow(request: PublishRequest, signal: AbortSignal | undefined): Promise<PublishResult> {
    if (this.#closedForCalls()) return handled(Promise.reject(new ClientEndedError('the client has ended')));
    const id = this.#nextMessageId++;
    const promise = this.#operations.addPublish(id, signal, () => this.#abort(id, signal!.reason));
    this.#driver.dispatch({ type: 'publishRequested', id, message: request });
    return promise;
  }

  #abort(id: number, reason: unknown): void {
    if (!this.#operations.publishing(id)) return;
    if (this.#session.wasSent(id)) {
      // Gone out: it cannot be called back. Its promise rejects; delivered(id) still follows it.
      this.#operations.settlePublish(id, undefined, new AbortError(true, { cause: reason }), false);
      return;
    }
    this.#driver.dispatch({ type: 'abortRequested', id });
  }

  /** A SUBSCRIBE or UNSUBSCRIBE, once the outbox is open and unless the client has ended. */
  #operation<T>(start: () => Promise<T>): Promise<T> {
    return handled(
      this.#opened.then(() => {
        this.#checkOpen();
        return start();
      }),
    );
  }

  async #finish(options: EndOptions): Promise<void> {
    await this.#opened.catch(() => undefined);
    const expired = options.force !== true && !this.#loop.stopped ? await this.#driver.whenIdle(options.timeoutMs) : false;
    const force = options.force === true || expired;
    const closed = this.#loop.beginEnd();
    this.#driver.dispatch(force ? { type: 'endRequested' } : { type: 'disconnectRequested' });
    if (force) this.#operations.rejectAll(new ClientEndedError());
    await closed;
    this.#driver.stop();
    this.#loop.ended();
    await this.#outboxClose?.();
    this.#delivery.end();
    this.#events.emit('end', undefined);
  }

  #checkOpen(): void {
    if (this.#closedForCalls()) throw new ClientEndedError('the client has ended');
  }

  #closedForCalls(): boolean {
    return this.#ending !== undefined || this.#openError !== undefined;
  }
}
