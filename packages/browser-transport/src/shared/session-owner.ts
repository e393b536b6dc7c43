import { type Message, type MqttClient, type QoS, type SubscribeOptions, type SubscribeResult, topicMatches, type UnsubscribeResult } from '@courier/core';
import { type Call, type ForwardedEvent, serializeError, type TabSubscriptions, type ToOwner, type ToTab } from './share-protocol';

/**
 * Where an owner runs: a SharedWorker (a port per tab) or a leader tab (one BroadcastChannel).
 * The owner itself does not know which: the same code serves both.
 */
export interface OwnerPort {
  /** Sends to every tab; a message that names a `tab` may go to that tab only. */
  post(message: ToTab): void;
  onMessage(handler: (message: ToOwner) => void): void;
  /** The tabs alive now (each holds a lock of its own for its life). */
  liveTabs(): Promise<string[]>;
  /** Calls `gone` once `tab` is closed, crashed or reloaded (its lock is released). */
  watchTab(tab: string, gone: () => void): void;
}

/** A payload the owner is publishing for a tab's request, so that its outbox write names the request. */
export type PublishTracker = (payload: Uint8Array, id: number) => void;

interface TabState {
  subscriptions: Map<string, SubscribeOptions>;
  /** Requests received (running or done): one sent again to the same owner is carried out once. */
  seen: Set<number>;
}

interface Held {
  count: number;
  granted: QoS;
}

const FORWARDED: ForwardedEvent[] = ['connect', 'disconnect', 'reconnecting', 'error', 'warning', 'sessionLost'];
/** How long a new owner waits for the tabs alive to say what they subscribe to, before delivering. */
const HELLO_WAIT_MS = 1000;

/** Errors in a forwarded event's payload, as they can cross. */
function clonableEvent(payload: unknown): unknown {
  if (payload instanceof Error) return { __error: serializeError(payload) };
  if (payload === null || typeof payload !== 'object') return payload;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) copy[key] = value instanceof Error ? { __error: serializeError(value) } : value;
  return copy;
}

/**
 * The context that owns a shared session: it runs the real client (its connection and its
 * IndexedDB outbox) for every tab. It carries out the tabs' calls, holds the union of their
 * subscriptions at the broker (subscribed when the first tab wants a filter, unsubscribed when the
 * last one drops it), routes each message to the tabs whose filters match, and lets its ack go
 * (the client runs with `manualAcks`) once every tab that got it has acknowledged it or is gone.
 */
export class SessionOwner {
  readonly #client: MqttClient;
  readonly #port: OwnerPort;
  readonly #id: string;
  readonly #tabs = new Map<string, TabState>();
  readonly #held = new Map<string, Held>();
  readonly #awaiting = new Map<number, { message: Message; tabs: Set<string> }>();
  /** The publishes whose outbox write names a request: payload → the tab and request. */
  readonly #publishing = new WeakMap<Uint8Array, { tab: string; req: number }>();
  #nextKey = 1;
  #closed = false;

  constructor(client: MqttClient, port: OwnerPort, id: string) {
    this.#client = client;
    this.#port = port;
    this.#id = id;
  }

  /** What the outbox calls when a record is durable: the tab learns its id. */
  readonly tracker: PublishTracker = (payload, id) => {
    const request = this.#publishing.get(payload);
    if (request === undefined || !this.#tabs.has(request.tab)) return;
    this.#port.post({ type: 'durable', tab: request.tab, req: request.req, id });
  };

  /** Takes the tabs' messages, tells them who owns the session, and starts delivery once they have said what they want. */
  async start(): Promise<void> {
    this.#port.onMessage((message) => this.#received(message));
    for (const name of FORWARDED) {
      this.#client.on(name, (payload: unknown) => this.#port.post({ type: 'event', name, payload: clonableEvent(payload) }));
    }
    this.#client.on('connect', () => this.#announce());
    this.#announce();
    const alive = await this.#port.liveTabs();
    const deadline = Date.now() + HELLO_WAIT_MS;
    while (!this.#closed && Date.now() < deadline && alive.some((tab) => !this.#tabs.has(tab))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!this.#closed) this.#client.on('message', (message) => this.#route(message));
  }

  /** Stops serving: the tabs' next owner takes over from the outbox. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#client.end({ force: true });
  }

  #announce(): void {
    this.#port.post({ type: 'owner', owner: this.#id, connected: this.#client.connected });
  }

  #received(message: ToOwner): void {
    if (this.#closed) return;
    switch (message.type) {
      case 'hello':
        this.#hello(message.tab, message.subscriptions);
        break;
      case 'call':
        this.#call(message.tab, message.req, message.call);
        break;
      case 'ack':
        this.#acked(message.tab, message.key);
        break;
      case 'bye':
        this.#gone(message.tab);
        break;
    }
  }

  #hello(tab: string, subscriptions: TabSubscriptions): void {
    let state = this.#tabs.get(tab);
    if (state === undefined) {
      state = { subscriptions: new Map(), seen: new Set() };
      this.#tabs.set(tab, state);
      this.#port.watchTab(tab, () => this.#gone(tab));
      // A new owner learns what the tab holds: the broker may have lost the session meanwhile.
      for (const [filter, options] of subscriptions) void this.#subscribe(state, [filter], options).catch(() => undefined);
    }
    this.#announce();
  }

  #call(tab: string, req: number, call: Call): void {
    const state = this.#tabs.get(tab);
    if (state === undefined || state.seen.has(req)) return;
    state.seen.add(req);
    this.#run(tab, req, call, state).then(
      (value) => this.#port.post({ type: 'settle', tab, req, ok: true, value }),
      (error: unknown) => this.#port.post({ type: 'settle', tab, req, ok: false, error: serializeError(error) }),
    );
  }

  async #run(tab: string, req: number, call: Call, state: TabState): Promise<unknown> {
    const client = this.#client;
    switch (call.op) {
      case 'publish': {
        // Durable under an id at an owner gone since: awaited, never published twice.
        if (call.id !== undefined) return client.delivered(call.id);
        this.#publishing.set(call.payload, { tab, req });
        return client.publish(call.topic, call.payload, call.options);
      }
      case 'subscribe':
        return this.#subscribe(state, call.filters, call.options);
      case 'unsubscribe':
        return this.#unsubscribe(state, call.filters, call.options);
      case 'pending':
        return client.pending();
      case 'delivered':
        return client.delivered(call.id);
      case 'whenConnected':
        return client.whenConnected();
    }
  }

  /** Subscribes the filters the broker does not hold yet (or holds at a lower QoS); the rest are answered from what it granted. */
  async #subscribe(state: TabState, filters: string[], options: SubscribeOptions): Promise<SubscribeResult> {
    const qos = options.qos ?? 0;
    const wanted = filters.filter((filter) => {
      const held = this.#held.get(filter);
      return held === undefined || held.granted < qos || options.properties !== undefined;
    });
    for (const filter of filters) {
      if (state.subscriptions.has(filter)) continue;
      const held = this.#held.get(filter);
      if (held === undefined) this.#held.set(filter, { count: 1, granted: qos });
      else held.count++;
    }
    for (const filter of filters) state.subscriptions.set(filter, options);
    const result = wanted.length === 0 ? undefined : await this.#client.subscribe(wanted, options);
    const granted = filters.map((filter) => {
      const index = wanted.indexOf(filter);
      const held = this.#held.get(filter);
      const code = index === -1 ? (held?.granted ?? qos) : result!.reasonCodes[index]!;
      if (held !== undefined && index !== -1 && code < 0x80) held.granted = code as QoS;
      return code;
    });
    return { granted: granted.map((code) => (code < 0x80 ? code : 0)) as QoS[], reasonCodes: granted };
  }

  /** Drops the tab's filters; a filter leaves the broker when no tab holds it any more. */
  async #unsubscribe(state: TabState, filters: string[], options: { properties?: unknown } = {}): Promise<UnsubscribeResult> {
    const last: string[] = [];
    for (const filter of filters) {
      if (!state.subscriptions.delete(filter)) continue;
      const held = this.#held.get(filter);
      if (held !== undefined && --held.count === 0) {
        this.#held.delete(filter);
        last.push(filter);
      }
    }
    const result = last.length === 0 ? {} : await this.#client.unsubscribe(last, options as never);
    if (this.#client.protocolVersion !== 5) return {};
    return { reasonCodes: filters.map((filter) => (last.includes(filter) ? (result.reasonCodes?.[last.indexOf(filter)] ?? 0) : 0)) };
  }

  #route(message: Message): void {
    const tabs: string[] = [];
    for (const [tab, state] of this.#tabs) {
      for (const filter of state.subscriptions.keys()) {
        if (topicMatches(filter, message.topic)) {
          tabs.push(tab);
          break;
        }
      }
    }
    const { topic, payload, qos, retain, dup, properties } = message;
    const shared = properties === undefined ? { topic, payload, qos, retain, dup } : { topic, payload, qos, retain, dup, properties };
    if (qos === 0 || tabs.length === 0) {
      if (tabs.length > 0) this.#port.post({ type: 'message', key: 0, tabs, message: shared });
      void message.ack();
      return;
    }
    const key = this.#nextKey++;
    this.#awaiting.set(key, { message, tabs: new Set(tabs) });
    this.#port.post({ type: 'message', key, tabs, message: shared });
  }

  #acked(tab: string, key: number): void {
    const awaiting = this.#awaiting.get(key);
    if (awaiting === undefined || !awaiting.tabs.delete(tab) || awaiting.tabs.size > 0) return;
    this.#awaiting.delete(key);
    void awaiting.message.ack().then(() => this.#port.post({ type: 'acked', key }));
  }

  /** A tab closed, crashed, reloaded or ended: its subscriptions go, and no message waits for its ack. */
  #gone(tab: string): void {
    const state = this.#tabs.get(tab);
    if (state === undefined) return;
    this.#tabs.delete(tab);
    if (!this.#closed) void this.#unsubscribe(state, [...state.subscriptions.keys()]).catch(() => undefined);
    for (const key of [...this.#awaiting.keys()]) this.#acked(tab, key);
  }
}
