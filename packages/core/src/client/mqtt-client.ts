import { DecodeError } from '../codec/errors';
import { decodeFromServer, encodeFromClient } from '../codec/client-codec';
import type { ConnackPacket, Packet, ProtocolVersion, QoS, Subscription } from '../codec/packet';
import { FrameDecoder } from '../codec/frame-decoder';
import type { DisconnectProperties, PublishProperties, SubscribeProperties, UnsubscribeProperties } from '../codec/properties';
import { AbortError, ClientEndedError, ConnectionError, InvalidArgumentError, MqttError, OutboxError } from '../errors';
import type { Clock, Timer } from '../ports/clock';
import type { Outbox, OutboxChange } from '../ports/outbox-store';
import type { Connection, Transport } from '../ports/transport';
import { encodingProblem } from '../session/publish-packet';
import { Session } from '../session/session';
import type {
  OutboxEntry,
  PublishRequest,
  PublishResult,
  ReceivedMessage,
  SessionAction,
  SessionEvent,
  SessionInput,
  SubscribeResult,
  UnsubscribeResult,
} from '../session/session-types';
import { topicFilterProblem, topicNameProblem } from '../topic/topic-filter';
import { type BackoffOptions, backoffDelay } from './backoff';
import { type ClientSettings, type CreateClientOptions, resolveOptions, toBytes, zeroOneOrTwo } from './client-options';
import { Deferred, handled } from './deferred';
import { MessageStream, STREAM_HIGH_WATER } from './message-stream';

/** No awaited ids: shared by every outbox write that has none, so none allocates a new `[]`. */
const NO_IDS = Object.freeze([]) as unknown as number[];

/** A received message, as `message` events and `messages()` give it. */
export type Message = ReceivedMessage;

/** Options of one `publish()`: QoS (0 by default), retain, 5.0 properties, and an abort signal. */
export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  properties?: PublishProperties;
  /** Calls the message back while it has not gone out; once sent, it cannot be, and the error says so. */
  signal?: AbortSignal;
}

/** Options of one `subscribe()`: the maximum QoS to receive at (0 by default) and the 5.0 subscription options. */
export interface SubscribeOptions {
  qos?: QoS;
  /** 5.0: do not send us our own messages. */
  noLocal?: boolean;
  /** 5.0: keep the RETAIN flag as published. */
  retainAsPublished?: boolean;
  /** 5.0: 0 send retained messages, 1 only for a new subscription, 2 never. */
  retainHandling?: 0 | 1 | 2;
  properties?: SubscribeProperties;
}

/**
 * What a `connect` event and `whenConnected()` give: the accepted CONNACK. `sessionPresent` false
 * after asking to keep the session means the broker had lost it.
 */
export interface ConnectInfo {
  sessionPresent: boolean;
  protocolVersion: ProtocolVersion;
  connack: ConnackPacket;
}

/** What a `disconnect` event gives: why the connection ended. The client reconnects by itself unless it has ended. */
export interface DisconnectInfo {
  /** Why the connection ended; none after a clean end(). */
  error?: MqttError;
  /** When the broker sent DISCONNECT (5.0): its reason code and properties. */
  reasonCode?: number;
  properties?: DisconnectProperties;
}

/** The client's lifecycle events. A single operation's failure settles its own promise instead. */
export type ClientEvents = {
  connect: ConnectInfo;
  disconnect: DisconnectInfo;
  reconnecting: { attempt: number; delayMs: number };
  message: Message;
  /** We asked the broker to keep our session and it had not: what was owed went again as new. */
  sessionLost: { republished: number; settledAsDelivered: number };
  /** Connection-level errors: refusals, protocol violations by the broker, outbox failures. */
  error: MqttError;
  /** Odd but harmless: an ack for nothing, a fallback to 3.1.1. */
  warning: MqttError;
  end: undefined;
};

/** Options of `end()`: wait for what is in flight (the default), or abandon it now or after a timeout. */
export interface EndOptions {
  /** Abandon what is in flight now: its promises reject, durable records stay for the next start. */
  force?: boolean;
  /** Wait at most this long for what is in flight, then end by force. */
  timeoutMs?: number;
}

type Phase = 'starting' | 'connecting' | 'connected' | 'waiting' | 'stopped' | 'ended';
type Handler = (payload: never) => void;

/**
 * An MQTT client: publish, subscribe, receive, with the delivery contract of the session behind
 * it. It connects through its transport as soon as it is created and reconnects by itself.
 *
 * It is the session's driver, and the only place with I/O: it feeds the session what happens
 * (bytes, timers, outbox completions, calls) and carries out what the session asks, in order.
 */
export class MqttClient {
  readonly #settings: ClientSettings;
  readonly #session: Session;
  readonly #transport: Transport;
  readonly #clock: Clock;
  /** The handlers of each event, in the order they were added. */
  readonly #handlers = new Map<keyof ClientEvents, Handler[]>();
  #phase: Phase = 'starting';
  #outbox: Outbox | undefined;
  #openError: MqttError | undefined;
  readonly #opened: Promise<void>;
  #connection: Connection | undefined;
  #attemptToken: object | undefined;
  #decoder: FrameDecoder | undefined;
  #blocked = false;
  readonly #inputs: SessionInput[] = [];
  #dispatching = false;
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #reconnectTimer: Timer | undefined;
  /** The connect timeout while the transport opens (the session times the CONNACK after). */
  #openTimer: Timer | undefined;
  #attempts = 0;
  #retryNow = false;
  #closeReason: MqttError | undefined;
  #serverDisconnect: { reasonCode: number; properties?: DisconnectProperties } | undefined;
  #connectInfo: ConnectInfo | undefined;
  /** Why the client stopped connecting (a permanent refusal, or reconnect turned off). */
  #lastFailure: MqttError | undefined;
  #nextMessageId = 1;
  #nextOperationId = 1;
  readonly #publishes = new Map<number, Deferred<PublishResult>>();
  readonly #deliveryWaiters = new Map<number, Deferred<PublishResult>[]>();
  readonly #subscribes = new Map<number, Deferred<SubscribeResult>>();
  readonly #unsubscribes = new Map<number, Deferred<UnsubscribeResult>>();
  readonly #aborts = new Map<number, () => void>();
  #connectWaiters: Deferred<ConnectInfo>[] = [];
  readonly #streams = new Set<MessageStream>();
  /** Streams at their high-water mark: delivery is held back while there is one. */
  readonly #fullStreams = new Set<MessageStream>();
  #warnedFullStream = false;
  #idleWaiter: Deferred<void> | undefined;
  /** Delivery waits while nothing takes messages: no 'message' handler and no stream. */
  #holding = true;
  #releaseQueued = false;
  #closedWaiter: Deferred<void> | undefined;
  #ending: Promise<void> | undefined;

  constructor(options: CreateClientOptions) {
    this.#settings = resolveOptions(options);
    if (options.transport === undefined) throw new InvalidArgumentError('a client needs a transport');
    this.#transport = options.transport;
    this.#clock = this.#settings.clock;
    this.#session = new Session(this.#settings.session);
    this.#session.handle({ type: 'deliveryHeld', held: true }, this.#clock.now());
    this.#opened = handled(this.#open());
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
    return this.#phase === 'connected';
  }

  /**
   * Listens to a lifecycle event (see {@link ClientEvents}). A `message` handler also starts
   * delivery: messages that arrive before any handler or stream wait for one, unacknowledged.
   */
  on<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    const handlers = this.#handlers.get(event);
    if (handlers === undefined) this.#handlers.set(event, [handler]);
    else handlers.push(handler);
    if (event === 'message') this.#updateHolding();
    return this;
  }

  /** Stops listening; pass the handler given to `on()`. */
  off<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    const handlers = this.#handlers.get(event);
    const index = handlers?.indexOf(handler) ?? -1;
    if (index !== -1) handlers!.splice(index, 1);
    if (event === 'message') this.#updateHolding();
    return this;
  }

  /**
   * Resolves on the next successful CONNACK (at once when connected); rejects when that attempt
   * fails: refused, timed out, unreachable, or the client ended.
   */
  whenConnected(): Promise<ConnectInfo> {
    if (this.#phase === 'connected' && this.#connectInfo !== undefined) return Promise.resolve(this.#connectInfo);
    if (this.#phase === 'ended' || this.#ending !== undefined) return handled(Promise.reject(new ClientEndedError('the client has ended')));
    if (this.#openError !== undefined) return handled(Promise.reject(this.#openError));
    if (this.#phase === 'stopped') return handled(Promise.reject(this.#lastFailure ?? new ConnectionError('the client is not connecting')));
    const waiter = new Deferred<ConnectInfo>(true);
    this.#connectWaiters.push(waiter);
    return waiter.promise;
  }

  /**
   * Publishes a message. QoS 0 settles once handed to the transport, QoS 1 on PUBACK, QoS 2 on
   * PUBCOMP. While offline it waits (QoS 1/2 in the outbox). Invalid input rejects at once.
   */
  publish(topic: string, payload: Uint8Array | string, options: PublishOptions = {}): Promise<PublishResult> {
    let request: PublishRequest;
    try {
      request = this.#publishRequest(topic, payload, options);
    } catch (error) {
      return handled(Promise.reject(error));
    }
    const signal = options.signal;
    if (signal?.aborted === true) return handled(Promise.reject(new AbortError(false, { cause: signal.reason })));
    if (this.#outbox !== undefined) return this.#publishNow(request, signal);
    return handled(this.#opened.then(() => this.#publishNow(request, signal)));
  }

  /** Subscribes to one or more topic filters; resolves with the granted QoS of each. */
  subscribe(filters: string | string[], options: SubscribeOptions = {}): Promise<SubscribeResult> {
    let subscriptions: Subscription[];
    try {
      subscriptions = this.#subscriptionsOf(filters, options);
    } catch (error) {
      return handled(Promise.reject(error));
    }
    return this.#operation(this.#subscribes, (id) => {
      const input: SessionInput = { type: 'subscribeRequested', id, subscriptions };
      if (options.properties !== undefined) input.properties = options.properties;
      return input;
    });
  }

  /** Unsubscribes from one or more topic filters; resolves on UNSUBACK (with 5.0 reason codes). */
  unsubscribe(filters: string | string[], options: { properties?: UnsubscribeProperties } = {}): Promise<UnsubscribeResult> {
    const topicFilters = Array.isArray(filters) ? filters : [filters];
    const problem = topicFilters.length === 0 ? 'unsubscribe needs at least one topic filter' : topicFilters.map(topicFilterProblem).find((p) => p !== undefined);
    if (problem !== undefined) return handled(Promise.reject(new InvalidArgumentError(problem)));
    return this.#operation(this.#unsubscribes, (id) => {
      const input: SessionInput = { type: 'unsubscribeRequested', id, topicFilters };
      if (options.properties !== undefined) input.properties = options.properties;
      return input;
    });
  }

  /**
   * Received messages (matching `filter`, when given) as an async iterable; it ends with the
   * client. At 1,000 unread messages delivery waits for it to be read (QoS 1/2 unacknowledged),
   * with an `ERR_NO_CONSUMER` warning: end a stream you no longer read (`break` or `return()`).
   */
  messages(filter?: string): AsyncIterableIterator<Message> {
    if (filter !== undefined) {
      const problem = topicFilterProblem(filter);
      if (problem !== undefined) throw new InvalidArgumentError(problem);
    }
    const stream = new MessageStream(
      filter,
      (s) => {
        this.#streams.delete(s);
        this.#fullStreams.delete(s);
        this.#updateHolding();
      },
      (s, full) => this.#onStreamFull(s, full),
    );
    if (this.#phase === 'ended') stream.end();
    else this.#streams.add(stream);
    this.#updateHolding();
    return stream;
  }

  /**
   * Messages that arrive before the application has a handler (those a persistent session had
   * waiting come with the CONNACK, before `await connect()` returns) wait for one instead of
   * being emitted to nobody. Delivery resumes in a microtask, so a handler is never called from
   * inside `on()`.
   */
  #updateHolding(): void {
    const hold = ((this.#handlers.get('message')?.length ?? 0) === 0 && this.#streams.size === 0) || this.#fullStreams.size > 0;
    if (hold === this.#holding) return;
    this.#holding = hold;
    if (hold) {
      this.#dispatch({ type: 'deliveryHeld', held: true });
      return;
    }
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    queueMicrotask(() => {
      this.#releaseQueued = false;
      if (!this.#holding) this.#dispatch({ type: 'deliveryHeld', held: false });
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
        this.#emit('warning', new MqttError('ERR_NO_CONSUMER', `a messages() stream has ${STREAM_HIGH_WATER} unread messages: delivery waits until it is read`));
      }
    } else {
      this.#fullStreams.delete(stream);
    }
    this.#updateHolding();
  }

  /** What is still owed (QoS 1/2 messages not fully acknowledged), after a restart too, in order. */
  pending(): Promise<OutboxEntry[]> {
    return handled(this.#opened.then(() => this.#session.pending()));
  }

  /**
   * Resolves when message `id` (from a publish, or from `pending()` after a restart) is delivered,
   * and at once for an id that is no longer owed.
   */
  delivered(id: number): Promise<PublishResult> {
    return handled(
      this.#opened.then(() => {
        if (!this.#session.owes(id)) return { id };
        const waiter = new Deferred<PublishResult>();
        const waiters = this.#deliveryWaiters.get(id);
        if (waiters === undefined) this.#deliveryWaiters.set(id, [waiter]);
        else waiters.push(waiter);
        return waiter.promise;
      }),
    );
  }

  /**
   * Ends the client: waits for what is in flight (unless `force`), sends DISCONNECT, closes the
   * connection and the outbox. A forced end rejects what it abandons; its durable records stay.
   */
  end(options: EndOptions = {}): Promise<void> {
    this.#ending ??= this.#finish(options);
    return this.#ending;
  }

  /** A SUBSCRIBE or UNSUBSCRIBE: an id, a promise in `pending`, and the request to the session. */
  #operation<T>(pending: Map<number, Deferred<T>>, input: (id: number) => SessionInput): Promise<T> {
    return handled(
      this.#opened.then(() => {
        if (this.#closedForCalls()) throw new ClientEndedError('the client has ended');
        const id = this.#nextOperationId++;
        const deferred = new Deferred<T>();
        pending.set(id, deferred);
        this.#dispatch(input(id));
        return deferred.promise;
      }),
    );
  }

  // The driver: from here on, I/O and the session.

  async #open(): Promise<void> {
    try {
      const outbox = await this.#settings.outbox.open(this.#session.clientId);
      if (this.#ending !== undefined) {
        await outbox.close();
        return;
      }
      this.#outbox = outbox;
      this.#nextMessageId = Math.max(1, outbox.restored.nextId);
      for (const damage of outbox.restored.damage ?? []) {
        this.#emit('warning', new OutboxError(`the outbox skipped ${damage.bytes} unreadable bytes at ${damage.where}: ${damage.reason}`));
      }
      this.#dispatch({ type: 'restore', snapshot: outbox.restored });
    } catch (error) {
      this.#openError = error instanceof MqttError ? error : new OutboxError('the outbox could not be opened', { cause: error });
      this.#phase = 'stopped';
      this.#emit('error', this.#openError);
      this.#rejectConnectWaiters(this.#openError);
      throw this.#openError;
    }
    this.#connect();
  }

  #publishRequest(topic: string, payload: Uint8Array | string, options: PublishOptions): PublishRequest {
    if (this.#closedForCalls()) throw new ClientEndedError('the client has ended');
    const problem = topicNameProblem(topic);
    if (problem !== undefined) throw new InvalidArgumentError(problem);
    const qos = zeroOneOrTwo(options.qos ?? 0, 'qos');
    const request: PublishRequest = { topic, payload: toBytes(payload, 'the payload'), qos, retain: options.retain === true };
    if (options.properties !== undefined) request.properties = options.properties;
    // Everything encoding would refuse is refused now, before anything is queued.
    const refusal = encodingProblem(request, this.#session.protocolVersion);
    if (refusal !== undefined) throw new InvalidArgumentError(refusal.message);
    return request;
  }

  #publishNow(request: PublishRequest, signal: AbortSignal | undefined): Promise<PublishResult> {
    if (this.#closedForCalls()) return handled(Promise.reject(new ClientEndedError('the client has ended')));
    const id = this.#nextMessageId++;
    const deferred = new Deferred<PublishResult>(true);
    this.#publishes.set(id, deferred);
    if (signal !== undefined) {
      const onAbort = () => this.#abort(id, signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#aborts.set(id, () => signal.removeEventListener('abort', onAbort));
    }
    this.#dispatch({ type: 'publishRequested', id, message: request });
    return deferred.promise;
  }

  #abort(id: number, reason: unknown): void {
    if (!this.#publishes.has(id)) return;
    if (this.#session.wasSent(id)) {
      // Gone out: it cannot be called back. Its promise rejects; delivered(id) still follows it.
      this.#settlePublish(id, undefined, new AbortError(true, { cause: reason }), false);
      return;
    }
    this.#dispatch({ type: 'abortRequested', id });
  }

  #subscriptionsOf(filters: string | string[], options: SubscribeOptions): Subscription[] {
    if (this.#closedForCalls()) throw new ClientEndedError('the client has ended');
    const list = Array.isArray(filters) ? filters : [filters];
    if (list.length === 0) throw new InvalidArgumentError('subscribe needs at least one topic filter');
    const qos = zeroOneOrTwo(options.qos ?? 0, 'qos');
    const { noLocal, retainAsPublished, retainHandling } = options;
    if (retainHandling !== undefined) zeroOneOrTwo(retainHandling, 'retainHandling');
    const needsV5 = noLocal !== undefined || retainAsPublished !== undefined || retainHandling !== undefined || options.properties !== undefined;
    if (needsV5 && this.#session.protocolVersion === 4) {
      throw new InvalidArgumentError('noLocal, retainAsPublished, retainHandling and properties need MQTT 5.0');
    }
    return list.map((topicFilter) => {
      const problem = topicFilterProblem(topicFilter);
      if (problem !== undefined) throw new InvalidArgumentError(problem);
      const subscription: Subscription = { topicFilter, qos };
      if (noLocal !== undefined) subscription.noLocal = noLocal;
      if (retainAsPublished !== undefined) subscription.retainAsPublished = retainAsPublished;
      if (retainHandling !== undefined) subscription.retainHandling = retainHandling;
      return subscription;
    });
  }

  /** Opens a connection through the transport. */
  #connect(): void {
    if (this.#phase === 'ended' || this.#phase === 'stopped') return;
    this.#phase = 'connecting';
    const token = {};
    this.#attemptToken = token;
    this.#closeReason = undefined;
    this.#serverDisconnect = undefined;
    // A server that accepts TCP and never finishes the TLS or WebSocket handshake would leave
    // the attempt pending for ever: it is abandoned (and closed if it ever opens) at the timeout.
    const timeoutMs = this.#settings.session.connectTimeoutMs;
    this.#openTimer = this.#clock.setTimer(this.#clock.now() + timeoutMs, () => {
      this.#openFailed(token, new ConnectionError(`could not connect: no connection within ${timeoutMs} ms`));
    });
    this.#transport
      .connect({
        data: (chunk) => {
          if (this.#attemptToken === token) this.#onData(chunk);
        },
        close: (error) => {
          if (this.#attemptToken === token) this.#onClose(error);
        },
        drain: () => {
          if (this.#attemptToken === token && this.#blocked) {
            this.#blocked = false;
            this.#dispatch({ type: 'transportDrained' });
          }
        },
      })
      .then(
        (connection) => {
          if (this.#attemptToken !== token) {
            connection.close();
            return;
          }
          this.#cancelOpenTimer();
          this.#connection = connection;
          this.#blocked = false;
          this.#decoder = new FrameDecoder(
            {
              version: this.#session.protocolVersion,
              ...(this.#settings.session.maximumPacketSize === undefined ? {} : { maximumPacketSize: this.#settings.session.maximumPacketSize }),
            },
            decodeFromServer,
          );
          this.#dispatch({ type: 'connectionOpened' });
        },
        (error: unknown) => {
          this.#openFailed(token, new ConnectionError(`could not connect: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
        },
      );
  }

  /** Attempt `token` could not open a connection (unless it was abandoned already). */
  #openFailed(token: object, failure: ConnectionError): void {
    if (this.#attemptToken !== token) return;
    this.#attemptToken = undefined;
    this.#cancelOpenTimer();
    this.#lastFailure = failure;
    this.#emit('disconnect', { error: failure });
    this.#rejectConnectWaiters(failure);
    this.#scheduleReconnect();
  }

  #cancelOpenTimer(): void {
    this.#openTimer?.cancel();
    this.#openTimer = undefined;
  }

  #onData(chunk: Uint8Array): void {
    const decoder = this.#decoder;
    if (decoder === undefined) return;
    let packets: Packet[];
    try {
      packets = decoder.push(chunk);
    } catch (error) {
      const failure = error as DecodeError;
      for (const packet of failure.precedingPackets) this.#dispatch({ type: 'packetReceived', packet });
      this.#dispatch({ type: 'decodeFailed', error: failure });
      return;
    }
    for (const packet of packets) this.#dispatch({ type: 'packetReceived', packet });
  }

  #onClose(error: Error | undefined): void {
    this.#attemptToken = undefined;
    this.#connection = undefined;
    this.#decoder = undefined;
    const wasConnected = this.#phase === 'connected';
    this.#dispatch({ type: 'connectionLost' });
    const reason =
      this.#closeReason ??
      (error === undefined
        ? this.#ending === undefined
          ? new ConnectionError('the connection closed')
          : undefined
        : new ConnectionError(`the connection failed: ${error.message}`, { cause: error }));
    const info: DisconnectInfo = {};
    if (reason !== undefined) {
      info.error = reason;
      this.#lastFailure = reason;
    }
    if (this.#serverDisconnect !== undefined) Object.assign(info, this.#serverDisconnect);
    if (this.#phase !== 'ended') this.#emit('disconnect', info);
    // A refusal that is retried at once (the fallback to 3.1.1) is not the outcome waited for.
    if (!wasConnected && !this.#retryNow) this.#rejectConnectWaiters(reason ?? new ConnectionError('the connection closed before CONNACK'));
    this.#closedWaiter?.resolve();
    if (this.#ending === undefined) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#phase === 'ended' || this.#ending !== undefined) return;
    const backoff = this.#settings.reconnect;
    if (this.#phase === 'stopped' || (backoff === false && !this.#retryNow)) {
      this.#phase = 'stopped';
      return;
    }
    this.#phase = 'waiting';
    if (this.#retryNow) {
      // The fallback to 3.1.1: straight away, not after a backoff.
      this.#retryNow = false;
      this.#emit('reconnecting', { attempt: this.#attempts + 1, delayMs: 0 });
      queueMicrotask(() => this.#connect());
      return;
    }
    const delayMs = backoffDelay(this.#attempts, backoff as BackoffOptions, this.#settings.random);
    this.#attempts++;
    this.#emit('reconnecting', { attempt: this.#attempts, delayMs });
    this.#reconnectTimer = this.#clock.setTimer(this.#clock.now() + delayMs, () => {
      this.#reconnectTimer = undefined;
      this.#connect();
    });
  }

  /** Feeds the session one input at a time, in order, even when an action leads to another input. */
  #dispatch(input: SessionInput): void {
    this.#inputs.push(input);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next = this.#inputs.shift(); next !== undefined; next = this.#inputs.shift()) {
        this.#perform(this.#session.handle(next, this.#clock.now()));
      }
    } finally {
      this.#dispatching = false;
    }
    this.#scheduleTimer();
    if (this.#idleWaiter !== undefined && this.#session.isIdle()) this.#idleWaiter.resolve();
  }

  #perform(actions: SessionAction[]): void {
    let changes: OutboxChange[] | undefined;
    let awaitedIds: number[] | undefined;
    let awaitedIncoming: number[] | undefined;
    for (const action of actions) {
      switch (action.type) {
        case 'send':
          this.#write(action.packet);
          break;
        case 'persist':
        case 'forget': {
          // Literals for the usual single item: `[].push` reserves 17 slots, per input.
          const change = action.change;
          if (changes === undefined) changes = [change];
          else changes.push(change);
          if (action.type === 'persist' && action.awaited) {
            if (change.op === 'putIncoming') {
              if (awaitedIncoming === undefined) awaitedIncoming = [change.packetId];
              else awaitedIncoming.push(change.packetId);
            } else if (change.op === 'put' || change.op === 'update') {
              const id = change.op === 'put' ? change.record.id : change.id;
              if (awaitedIds === undefined) awaitedIds = [id];
              else awaitedIds.push(id);
            }
          }
          break;
        }
        case 'deliver':
          this.#deliver(action.message);
          break;
        case 'settle':
          this.#settle(action);
          break;
        case 'closeConnection':
          if (action.error !== undefined) this.#closeReason = action.error;
          this.#connection?.close();
          break;
        case 'notify':
          this.#onSessionEvent(action.event);
          break;
      }
    }
    // One write per input: the changes of one step reach the outbox together, and in order.
    if (changes !== undefined) this.#writeOutbox(changes, awaitedIds ?? NO_IDS, awaitedIncoming ?? NO_IDS);
  }

  #writeOutbox(changes: OutboxChange[], ids: number[], incoming: number[]): void {
    const outbox = this.#outbox;
    if (outbox === undefined) return;
    const awaited = ids.length > 0 || incoming.length > 0;
    let result: void | Promise<void>;
    try {
      result = outbox.write(changes);
    } catch (error) {
      this.#outboxFailed(error, awaited, ids, incoming);
      return;
    }
    if (result === undefined) {
      if (awaited) this.#inputs.push({ type: 'stored', ids, incoming });
      return;
    }
    // Closures only for an asynchronous outbox: a synchronous one costs none per write.
    result.then(
      () => {
        if (awaited) this.#dispatch({ type: 'stored', ids, incoming });
      },
      (error: unknown) => this.#outboxFailed(error, awaited, ids, incoming),
    );
  }

  #outboxFailed(error: unknown, awaited: boolean, ids: number[], incoming: number[]): void {
    const failure = error instanceof MqttError ? error : new OutboxError(`the outbox could not write: ${(error as Error)?.message}`, { cause: error });
    this.#emit('error', failure);
    if (awaited) this.#dispatch({ type: 'storeFailed', ids, incoming, error: failure });
  }

  #write(packet: Packet): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeFromClient(packet, this.#session.protocolVersion);
    } catch (error) {
      // The session checks what it sends; reaching this is a bug, never a reason to write bad bytes.
      this.#emit('error', new MqttError('ERR_INTERNAL', `could not encode ${packet.type.toUpperCase()}: ${(error as Error).message}`, { cause: error }));
      connection.close();
      return;
    }
    if (!connection.write(bytes) && !this.#blocked) {
      this.#blocked = true;
      this.#inputs.push({ type: 'transportBlocked' });
    }
  }

  #deliver(message: Message): void {
    this.#emit('message', message);
    for (const stream of this.#streams) stream.offer(message);
  }

  #settle(action: Extract<SessionAction, { type: 'settle' }>): void {
    const { id, error } = action;
    if (action.operation === 'publish') {
      this.#settlePublish(id, action.result as PublishResult | undefined, error, true);
      return;
    }
    const map = action.operation === 'subscribe' ? this.#subscribes : this.#unsubscribes;
    const deferred = map.get(id) as Deferred<unknown> | undefined;
    if (deferred === undefined) return;
    map.delete(id);
    if (error !== undefined) deferred.reject(error);
    else deferred.resolve(action.result);
  }

  /** Settles the publish() promise once; `final` also settles delivered(id). */
  #settlePublish(id: number, result: PublishResult | undefined, error: MqttError | undefined, final: boolean): void {
    const deferred = this.#publishes.get(id);
    if (deferred !== undefined) {
      this.#publishes.delete(id);
      this.#aborts.get(id)?.();
      this.#aborts.delete(id);
      if (error !== undefined) deferred.reject(error);
      else deferred.resolve(result as PublishResult);
    }
    if (!final) return;
    const waiters = this.#deliveryWaiters.get(id);
    if (waiters === undefined) return;
    this.#deliveryWaiters.delete(id);
    for (const waiter of waiters) {
      if (error !== undefined) waiter.reject(error);
      else waiter.resolve(result as PublishResult);
    }
  }

  #onSessionEvent(event: SessionEvent): void {
    switch (event.name) {
      case 'connected': {
        this.#phase = 'connected';
        this.#attempts = 0;
        const info: ConnectInfo = { sessionPresent: event.connack.sessionPresent, protocolVersion: event.protocolVersion, connack: event.connack };
        this.#connectInfo = info;
        this.#emit('connect', info);
        const waiters = this.#connectWaiters;
        this.#connectWaiters = [];
        for (const waiter of waiters) waiter.resolve(info);
        break;
      }
      case 'sessionLost':
        this.#emit('sessionLost', { republished: event.republished, settledAsDelivered: event.settledAsDelivered });
        break;
      case 'refused':
        this.#lastFailure = event.error;
        this.#emit('error', event.error);
        if (event.retry === 'now') {
          this.#retryNow = true;
        } else {
          if (event.retry === 'never') this.#phase = 'stopped';
          this.#rejectConnectWaiters(event.error);
        }
        break;
      case 'serverDisconnect':
        this.#serverDisconnect = event.properties === undefined ? { reasonCode: event.reasonCode } : { reasonCode: event.reasonCode, properties: event.properties };
        break;
      case 'warning':
        this.#emit('warning', event.error);
        break;
    }
  }

  /** Keeps one timer for the session's next deadline; a later deadline lets it fire early instead. */
  #scheduleTimer(): void {
    const deadline = this.#session.nextDeadline();
    if (deadline === undefined) {
      this.#cancelTimer();
      return;
    }
    if (deadline >= this.#timerAt) return;
    this.#cancelTimer();
    this.#timerAt = deadline;
    this.#timer = this.#clock.setTimer(deadline, () => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#dispatch({ type: 'timerExpired' });
    });
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  async #finish(options: EndOptions): Promise<void> {
    let force = options.force === true;
    await this.#opened.catch(() => undefined);
    if (!force && !this.#session.isIdle() && this.#phase !== 'stopped') {
      this.#idleWaiter = new Deferred<void>();
      let expired = false;
      const timeout =
        options.timeoutMs === undefined
          ? undefined
          : this.#clock.setTimer(this.#clock.now() + options.timeoutMs, () => {
              expired = true;
              this.#idleWaiter?.resolve();
            });
      await this.#idleWaiter.promise;
      timeout?.cancel();
      this.#idleWaiter = undefined;
      force = expired;
    }
    this.#reconnectTimer?.cancel();
    this.#reconnectTimer = undefined;
    this.#cancelOpenTimer();
    const connection = this.#connection;
    if (connection !== undefined) this.#closedWaiter = new Deferred<void>();
    this.#attemptToken = connection === undefined ? undefined : this.#attemptToken;
    this.#dispatch(force ? { type: 'endRequested' } : { type: 'disconnectRequested' });
    if (force) this.#rejectAll(new ClientEndedError());
    if (this.#closedWaiter !== undefined) await this.#closedWaiter.promise;
    this.#attemptToken = undefined;
    this.#cancelTimer();
    this.#phase = 'ended';
    await this.#outbox?.close();
    this.#rejectConnectWaiters(new ClientEndedError('the client has ended'));
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    this.#emit('end', undefined);
  }

  /** Rejects what no session input will settle any more (operations before the outbox opened). */
  #rejectAll(error: MqttError): void {
    for (const id of [...this.#publishes.keys()]) this.#settlePublish(id, undefined, error, true);
    for (const [, deferred] of this.#subscribes) deferred.reject(error);
    for (const [, deferred] of this.#unsubscribes) deferred.reject(error);
    this.#subscribes.clear();
    this.#unsubscribes.clear();
    for (const [, waiters] of this.#deliveryWaiters) for (const waiter of waiters) waiter.reject(error);
    this.#deliveryWaiters.clear();
  }

  #rejectConnectWaiters(error: MqttError): void {
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #closedForCalls(): boolean {
    return this.#phase === 'ended' || this.#ending !== undefined || this.#openError !== undefined;
  }

  /** Emits to every handler; one that throws is reported and does not stop the others. */
  #emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    const handlers = this.#handlers.get(event);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) {
      try {
        (handler as (payload: ClientEvents[K]) => void)(payload);
      } catch (error) {
        if (event !== 'error') this.#emit('error', new MqttError('ERR_HANDLER', `a ${event} handler threw`, { cause: error }));
      }
    }
  }
}

/**
 * Resolves with `client` once its first connection is accepted; when that fails (refused,
 * unreachable, timed out), ends the client and rejects with the error. What `connect(url)` does.
 */
export async function connectedClient(client: MqttClient): Promise<MqttClient> {
  try {
    await client.whenConnected();
    return client;
  } catch (error) {
    await client.end({ force: true });
    throw error;
  }
}

/** Creates a client that connects through `options.transport` at once and reconnects by itself. */
export function createClient(options: CreateClientOptions): MqttClient {
  return new MqttClient(options);
}
