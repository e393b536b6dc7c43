import type {
  ClientEventBus,
  ClientEvents,
  ConnectInfo,
  Delivery,
  EndOptions,
  Message,
  MessagesOptions,
  OutboxEntry,
  ProtocolVersion,
  PublishOptions,
  PublishResult,
  SubscribeOptions,
  SubscribeResult,
  UnsubscribeOptions,
  UnsubscribeResult,
} from '@courier/core';
import type { CoreParts } from './core-parts';
import { type Call, type PublishCall, resendIdentity, reviveError, revivedEvent, type SharedMessage, type ToOwner, type ToTab } from './share-protocol';

/** How a tab reaches the owner of its session: a SharedWorker's port or a BroadcastChannel. */
export interface TabPort {
  post(message: ToOwner): void;
  onMessage(handler: (message: ToTab) => void): void;
  /** The tab ends: lets go of its lock (and of the owner, when it runs here). */
  close(): Promise<void>;
  /** Whether the owner runs in this tab now. */
  ownsHere(owner: string): boolean;
}

interface Outstanding {
  call: Call;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const STREAM_HIGH_WATER = 1000;

/**
 * The client of a tab that shares its session with the other tabs of the origin: the API of
 * `MqttClient`, whose calls go to the session's owner as messages and whose results, events and
 * messages come back. Every call carries a number; when the owner changes, every call not yet
 * answered goes to the next one (a publish already durable goes as its outbox id, to be awaited).
 */
export class TabClient {
  readonly #port: TabPort;
  readonly #tab: string;
  readonly #clientId: string;
  readonly #events: ClientEventBus;
  readonly #delivery: Delivery;
  readonly #calls = new Map<number, Outstanding>();
  readonly #subscriptions = new Map<string, SubscribeOptions>();
  /** Local delivery ids → the owner's message keys, for acks (and a QoS 2 message's identity). */
  readonly #keys = new Map<number, { owner: string; key: number; qos2: [packetId: number, identity: string] | undefined }>();
  /**
   * The QoS 2 messages this tab had from an owner gone since, their PUBREC not known to have left:
   * the broker sends them again (DUP=1) to the next owner, and the tab does not take them twice.
   * By packet id: the identity of the message under it. Until a message under the id comes, or
   * the session is lost.
   */
  readonly #redelivered = new Map<number, string>();
  readonly #byKey = new Map<number, number>();
  /** Messages that came while delivery was held (no handler, or a stream full). */
  readonly #held: [SharedMessage, number, string | undefined][] = [];
  #holding = true;
  #nextReq = 1;
  #nextDelivery = 1;
  #owner: string | undefined;
  #connected = false;
  #lastConnect: ConnectInfo | undefined;
  #protocolVersion: ProtocolVersion;
  #ending: Promise<void> | undefined;
  #ended = false;

  readonly #parts: CoreParts;

  constructor(port: TabPort, tab: string, clientId: string, protocolVersion: ProtocolVersion, manualAcks: boolean, parts: CoreParts) {
    this.#parts = parts;
    const { ClientEventBus, Delivery } = parts;
    this.#port = port;
    this.#tab = tab;
    this.#clientId = clientId;
    this.#protocolVersion = protocolVersion;
    this.#events = new ClientEventBus((event) => {
      if (event === 'message') this.#delivery.update();
    });
    this.#delivery = new Delivery(
      this.#events,
      {
        hold: (held) => {
          this.#holding = held;
          while (!this.#holding && this.#held.length > 0) {
            const [message, key] = this.#held.shift()!;
            this.#deliver(message, key);
          }
        },
        acknowledge: (deliveryId) => this.#acknowledge(deliveryId),
      },
      manualAcks,
    );
    port.onMessage((message) => this.#received(message));
    this.#hello();
  }

  get clientId(): string {
    return this.#clientId;
  }

  get protocolVersion(): ProtocolVersion {
    return this.#protocolVersion;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Which context owns the connection now, and whether it is this tab (undefined until one answers). */
  get owner(): { owner: string; here: boolean } | undefined {
    return this.#owner === undefined ? undefined : { owner: this.#owner, here: this.#port.ownsHere(this.#owner) };
  }

  on<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    this.#events.on(event, handler);
    return this;
  }

  once<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    this.#events.once(event, handler);
    return this;
  }

  off<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    this.#events.off(event, handler);
    return this;
  }

  removeListener<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): this {
    return this.off(event, handler);
  }

  whenConnected(): Promise<ConnectInfo> {
    if (this.#connected && this.#lastConnect !== undefined) return Promise.resolve(this.#lastConnect);
    return this.#request({ op: 'whenConnected' }) as Promise<ConnectInfo>;
  }

  publish(topic: string, payload: Uint8Array | string, options: PublishOptions = {}): Promise<PublishResult> {
    const { AbortError, InvalidArgumentError, topicNameProblem } = this.#parts;
    const problem = topicNameProblem(topic);
    if (problem !== undefined) return Promise.reject(new InvalidArgumentError(problem));
    const qos = options.qos ?? 0;
    if (qos !== 0 && qos !== 1 && qos !== 2) return Promise.reject(new InvalidArgumentError('qos must be 0, 1 or 2'));
    if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) return Promise.reject(new InvalidArgumentError('the payload must be a string or a Uint8Array'));
    const { signal, ...rest } = options;
    if (signal?.aborted === true) return Promise.reject(new AbortError(false, { cause: signal.reason }));
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload.slice();
    const call: PublishCall = { op: 'publish', topic, payload: bytes, options: rest };
    const [req, result] = this.#send(call);
    if (signal === undefined) return result as Promise<PublishResult>;
    // The owner calls it back if it can (this owner, or the next one with the call carried over).
    const onAbort = () => {
      call.aborted = true;
      this.#port.post({ type: 'abort', tab: this.#tab, req });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return (result as Promise<PublishResult>)
      .catch((error: unknown) => {
        throw error instanceof AbortError ? new AbortError(error.sent, { cause: signal.reason }) : error;
      })
      .finally(() => signal.removeEventListener('abort', onAbort));
  }

  subscribe(filters: string | string[], options: SubscribeOptions = {}): Promise<SubscribeResult> {
    const { InvalidArgumentError, topicFilterProblem } = this.#parts;
    const list = Array.isArray(filters) ? filters : [filters];
    const problem = list.length === 0 ? 'subscribe needs at least one topic filter' : list.map(topicFilterProblem).find((found) => found !== undefined);
    if (problem !== undefined) return Promise.reject(new InvalidArgumentError(problem));
    for (const filter of list) this.#subscriptions.set(filter, options);
    return this.#request({ op: 'subscribe', filters: list, options }) as Promise<SubscribeResult>;
  }

  unsubscribe(filters: string | string[], options: UnsubscribeOptions = {}): Promise<UnsubscribeResult> {
    const { InvalidArgumentError, topicFilterProblem } = this.#parts;
    const list = Array.isArray(filters) ? filters : [filters];
    const problem = list.length === 0 ? 'unsubscribe needs at least one topic filter' : list.map(topicFilterProblem).find((found) => found !== undefined);
    if (problem !== undefined) return Promise.reject(new InvalidArgumentError(problem));
    for (const filter of list) this.#subscriptions.delete(filter);
    return this.#request({ op: 'unsubscribe', filters: list, options }) as Promise<UnsubscribeResult>;
  }

  messages(filter?: string, options: MessagesOptions = {}): AsyncIterableIterator<Message> {
    const { InvalidArgumentError, topicFilterProblem } = this.#parts;
    if (filter !== undefined) {
      const problem = topicFilterProblem(filter);
      if (problem !== undefined) throw new InvalidArgumentError(problem);
    }
    const highWaterMark = options.highWaterMark ?? STREAM_HIGH_WATER;
    if (!Number.isInteger(highWaterMark) || highWaterMark < 1) throw new InvalidArgumentError('highWaterMark must be a whole number of messages, 1 or more');
    return this.#delivery.stream(filter, highWaterMark);
  }

  pending(): Promise<OutboxEntry[]> {
    return this.#request({ op: 'pending' }) as Promise<OutboxEntry[]>;
  }

  delivered(id: number): Promise<PublishResult> {
    return this.#request({ op: 'delivered', id }) as Promise<PublishResult>;
  }

  /**
   * Ends this tab's client: waits for its calls in flight (unless `force`, or for `timeoutMs`),
   * then leaves the session. The other tabs keep it; what this tab published stays owed in the
   * outbox until delivered.
   */
  end(options: EndOptions = {}): Promise<void> {
    this.#ending ??= this.#finish(options);
    return this.#ending;
  }

  async #finish(options: EndOptions): Promise<void> {
    if (options.force !== true && this.#calls.size > 0) {
      const settled = Promise.allSettled([...this.#calls.values()].map((call) => new Promise((resolve) => {
        const { resolve: done, reject } = call;
        call.resolve = (value) => (done(value), resolve(undefined));
        call.reject = (error) => (reject(error), resolve(undefined));
      })));
      const timeout = options.timeoutMs === undefined ? undefined : new Promise((resolve) => setTimeout(resolve, options.timeoutMs));
      await (timeout === undefined ? settled : Promise.race([settled, timeout]));
    }
    this.#ended = true;
    this.#port.post({ type: 'bye', tab: this.#tab });
    const abandoned = new this.#parts.ClientEndedError();
    for (const call of this.#calls.values()) call.reject(abandoned);
    this.#calls.clear();
    await this.#port.close();
    this.#delivery.end();
    this.#connected = false;
    this.#events.emit('end', undefined);
  }

  #request(call: Call): Promise<unknown> {
    return this.#send(call)[1];
  }

  /** Sends a call to the owner: its request number, and its answer. */
  #send(call: Call): [number, Promise<unknown>] {
    const req = this.#nextReq++;
    if (this.#ending !== undefined) return [req, Promise.reject(new this.#parts.ClientEndedError('the client has ended'))];
    return [
      req,
      new Promise((resolve, reject) => {
        this.#calls.set(req, { call, resolve, reject });
        this.#port.post({ type: 'call', tab: this.#tab, req, call });
      }),
    ];
  }

  #hello(): void {
    this.#port.post({ type: 'hello', tab: this.#tab, subscriptions: [...this.#subscriptions] });
  }

  #received(message: ToTab): void {
    if (this.#ended) return;
    switch (message.type) {
      case 'owner':
        this.#ownerIs(message.owner, message.connected);
        break;
      case 'settle': {
        if (message.tab !== this.#tab) return;
        const call = this.#calls.get(message.req);
        if (call === undefined) return;
        this.#calls.delete(message.req);
        if (message.ok) {
          if (call.call.op === 'whenConnected') this.#connectedWith(message.value as ConnectInfo);
          call.resolve(message.value);
        } else {
          call.reject(reviveError(message.error, this.#parts));
        }
        break;
      }
      case 'durable': {
        const call = message.tab === this.#tab ? this.#calls.get(message.req) : undefined;
        if (call?.call.op === 'publish') call.call.id = message.id;
        break;
      }
      case 'message': {
        if (!message.tabs.includes(this.#tab)) return;
        const { qos, packetId, dup } = message.message;
        const earlier = qos === 2 && packetId !== undefined ? this.#redelivered.get(packetId) : undefined;
        // Any message under the id ends the wait for a resend: a first send (DUP=0) means its flow is over.
        if (earlier !== undefined) this.#redelivered.delete(packetId!);
        if (earlier !== undefined && dup && earlier === resendIdentity(message.message)) {
          this.#port.post({ type: 'ack', tab: this.#tab, key: message.key });
          return;
        }
        if (this.#holding) this.#held.push([message.message, message.key, this.#owner]);
        else this.#deliver(message.message, message.key);
        break;
      }
      case 'acked': {
        const deliveryId = this.#byKey.get(message.key);
        if (deliveryId === undefined) return;
        this.#byKey.delete(message.key);
        this.#keys.delete(deliveryId);
        this.#delivery.ackSent(deliveryId);
        break;
      }
      case 'event': {
        const payload = revivedEvent(message.payload, this.#parts);
        if (message.name === 'connect') this.#connectedWith(payload as ConnectInfo);
        if (message.name === 'disconnect') this.#connected = false;
        // A new session: the broker sends nothing again, and its packet ids start afresh.
        if (message.name === 'sessionLost') this.#redelivered.clear();
        this.#events.emit(message.name, payload as never);
        break;
      }
    }
  }

  #connectedWith(info: ConnectInfo): void {
    this.#connected = true;
    this.#lastConnect = info;
    this.#protocolVersion = info.protocolVersion;
  }

  /**
   * A new owner: every call it has not answered goes to it again (the owner ignores one it
   * already has), QoS 0 publishes excepted (at most once: they may have gone out), and the acks
   * the old owner owed are moot: the broker sends those messages again.
   */
  #ownerIs(owner: string, connected: boolean): void {
    if (owner === this.#owner) return;
    const first = this.#owner === undefined;
    this.#owner = owner;
    this.#connected = connected;
    this.#hello();
    for (const [req, call] of this.#calls) {
      if (!first && call.call.op === 'publish' && (call.call.options.qos ?? 0) === 0) {
        this.#calls.delete(req);
        call.reject(new this.#parts.ConnectionError('the context that owned the connection went away before this QoS 0 message was confirmed written'));
        continue;
      }
      this.#port.post({ type: 'call', tab: this.#tab, req, call: call.call });
    }
    // Held back from an owner gone: its keys mean nothing to the next, which gets QoS 1/2 again.
    const held = this.#held.splice(0).filter(([, key, from]) => key === 0 || from === owner);
    this.#held.push(...held);
    // Kept across owners: one that died before passing a resend on leaves it to the next.
    for (const [deliveryId, { qos2 }] of this.#keys) {
      if (qos2 !== undefined) this.#redelivered.set(...qos2);
      this.#delivery.ackSent(deliveryId);
    }
    this.#keys.clear();
    this.#byKey.clear();
    this.#events.emit('owner', { owner, here: this.#port.ownsHere(owner) });
  }

  /**
   * Delivers a message at the lower of its QoS and this tab's subscription (the broker holds the
   * filter at the highest QoS any tab asked for). Downgraded to QoS 0, it needs no ack from the
   * application: the owner hears at once that this tab has it.
   */
  #deliver(message: SharedMessage, key: number): void {
    const qos = Math.min(message.qos, this.#subscribedQos(message.topic));
    const received = (qos === message.qos ? message : { ...message, qos }) as Parameters<Delivery['deliver']>[0];
    if (key === 0 || qos === 0) {
      this.#delivery.deliver(received, 0);
      if (key !== 0) this.#port.post({ type: 'ack', tab: this.#tab, key });
      return;
    }
    const deliveryId = this.#nextDelivery++;
    const qos2 = message.qos === 2 && message.packetId !== undefined ? ([message.packetId, resendIdentity(message)] as [number, string]) : undefined;
    this.#keys.set(deliveryId, { owner: this.#owner ?? '', key, qos2 });
    this.#byKey.set(key, deliveryId);
    this.#delivery.deliver(received, deliveryId);
  }

  /** The highest QoS of this tab's filters that match `topic` (2 when none does: the owner knows better). */
  #subscribedQos(topic: string): number {
    let max = -1;
    for (const [filter, options] of this.#subscriptions) if (this.#parts.topicMatches(filter, topic)) max = Math.max(max, options.qos ?? 0);
    return max < 0 ? 2 : max;
  }

  #acknowledge(deliveryId: number): void {
    const sent = this.#keys.get(deliveryId);
    if (sent === undefined || sent.owner !== this.#owner) {
      this.#delivery.ackSent(deliveryId);
      return;
    }
    this.#port.post({ type: 'ack', tab: this.#tab, key: sent.key });
  }
}
