import type { Message, MqttClient, QoS, SubscribeOptions, SubscribeResult, UnsubscribeResult } from '@courier/core';
import type { CoreParts } from './core-parts';
import { type HeldFilters, NO_HELD_FILTERS } from './held-filters';
import type { OutboxTracker, TrackedRecord } from './owner-client';
import { type Call, clonableEvent, type ForwardedEvent, type PublishCall, serializeError, type SharedMessage, type TabSubscriptions, type ToOwner, type ToTab } from './share-protocol';

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


interface TabState {
  subscriptions: Map<string, SubscribeOptions>;
  /** Requests received (running or done): one sent again to the same owner is carried out once. */
  seen: Set<number>;
}

interface Held {
  /** How many tabs hold the filter. */
  count: number;
  /** The QoS it was subscribed at (-1 before it is), and the QoS the broker granted. */
  qos: number;
  granted: QoS;
}

const FORWARDED: ForwardedEvent[] = ['connect', 'disconnect', 'reconnecting', 'error', 'warning', 'sessionLost'];
/** How long a new owner waits for the tabs alive to say what they subscribe to, before delivering. */
const HELLO_WAIT_MS = 1000;
/** How long a message no tab wants waits for one to subscribe to it, before it is acknowledged. */
const UNCLAIMED_MS = 10_000;

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
  /** The filters whose UNSUBSCRIBE is not answered yet: still held at the broker for a next owner. */
  readonly #leaving = new Set<string>();
  readonly #filters: HeldFilters;
  /** What an owner before this one held at the broker: kept in what this one writes until it has dropped what no tab wants. */
  #inherited: Promise<string[]>;
  readonly #awaiting = new Map<number, { message: Message; tabs: Set<string> }>();
  readonly #unclaimed = new Map<Message, ReturnType<typeof setTimeout>>();
  /** The publishes whose outbox write names a request: payload → the tab and request. */
  readonly #publishing = new WeakMap<Uint8Array, { tab: string; req: number }>();
  /** The publishes running, by request (`<tab>:<req>`): what a tab's abort aborts. */
  readonly #aborts = new Map<string, AbortController>();
  #nextKey = 1;
  #closed = false;

  readonly #staleAfterMs: number;
  /** What the sharing code uses of the core, handed in so that it stays out of the start chunk. */
  readonly #parts: CoreParts;

  /**
   * `filters` keeps what the owner holds at the broker for a next owner; a filter an earlier owner
   * held that no tab wants `staleAfterMs` after the tabs have said what they want is unsubscribed.
   */
  constructor(
    client: MqttClient,
    port: OwnerPort,
    id: string,
    parts: CoreParts,
    { filters = NO_HELD_FILTERS, staleAfterMs = UNCLAIMED_MS }: { filters?: HeldFilters | undefined; staleAfterMs?: number } = {},
  ) {
    this.#client = client;
    this.#parts = parts;
    this.#filters = filters;
    this.#staleAfterMs = staleAfterMs;
    this.#inherited = filters.load().catch(() => []);
    // pending() answers once the outbox is open: after the outbox has told `tracker.opened`.
    this.#restored = client.pending().catch(() => undefined);
    this.#port = port;
    this.#id = id;
  }

  /** The records that earlier owners wrote for tab requests, by request (`<tab>:<req>`). */
  readonly #written = new Map<string, number>();
  /** Resolves once the client's outbox is open (and `#written` filled, by `tracker.opened`). */
  readonly #restored: Promise<unknown>;

  /** What the owner's outbox asks and tells (see `trackingOutbox`). */
  readonly tracker: OutboxTracker = {
    requestOf: (payload) => {
      const request = this.#publishing.get(payload);
      return request === undefined ? undefined : `${request.tab}:${request.req}`;
    },
    durable: (payload, id) => {
      const request = this.#publishing.get(payload);
      if (request === undefined || !this.#tabs.has(request.tab)) return;
      this.#port.post({ type: 'durable', tab: request.tab, req: request.req, id });
    },
    opened: (records) => {
      for (const record of records as readonly TrackedRecord[]) if (record.request !== undefined) this.#written.set(record.request, record.id);
    },
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
    if (this.#closed) return;
    this.#client.on('message', (message) => this.#route(message));
    await this.#dropStale();
  }

  /**
   * Unsubscribes what an owner before this one held for tabs gone since (closed while no owner
   * listened, or with their UNSUBSCRIBE unanswered): the broker's session still has it, and no
   * tab has said it wants it. Not at once: a reloaded tab is a new tab, which subscribes again
   * once it has loaded, and what the broker routes to the filter meanwhile must not be lost (as
   * for a message no tab wants, UNCLAIMED_MS).
   */
  async #dropStale(): Promise<void> {
    if ((await this.#inherited).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, this.#staleAfterMs));
    const stale = (await this.#inherited).filter((filter) => !this.#held.has(filter));
    this.#inherited = Promise.resolve([]);
    if (this.#closed) return;
    if (stale.length === 0) await this.#saveFilters();
    else await this.#leave(stale, {}).catch(() => undefined);
  }

  /** Writes what the broker may hold: what the tabs hold and what is leaving. */
  #saveFilters(): Promise<void> {
    return this.#inherited.then((inherited) => this.#filters.save([...new Set([...inherited, ...this.#held.keys(), ...this.#leaving])])).catch(() => undefined);
  }

  /** UNSUBSCRIBE: the filters stay written as held until the broker has answered. */
  async #leave(filters: string[], options: { properties?: unknown }): Promise<UnsubscribeResult> {
    for (const filter of filters) this.#leaving.add(filter);
    try {
      return await this.#client.unsubscribe(filters, options as never);
    } finally {
      for (const filter of filters) this.#leaving.delete(filter);
      await this.#saveFilters();
    }
  }

  /** Stops serving: the tabs' next owner takes over from the outbox. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#unclaimed.values()) clearTimeout(timer);
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
      case 'abort':
        this.#aborts.get(`${message.tab}:${message.req}`)?.abort();
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
        const request = `${tab}:${req}`;
        const abort = new AbortController();
        this.#aborts.set(request, abort);
        if (call.aborted === true) abort.abort();
        return this.#publish(tab, req, call, abort.signal).finally(() => this.#aborts.delete(request));
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

  /**
   * A tab's publish, aborted as the core aborts one: called back while it has not gone out
   * (AbortError, sent: false), else its promise rejects (sent: true) and the outbox still owes it.
   */
  async #publish(tab: string, req: number, call: PublishCall, signal: AbortSignal): Promise<unknown> {
    // Durable under an id at an owner gone since: awaited, never published twice. The id is the
    // tab's when it heard it, else the record's (the owner died before telling the tab). Restored
    // from the outbox, it may have gone out before: an abort cannot call it back.
    const written = call.id ?? (await this.#restored, this.#written.get(`${tab}:${req}`));
    if (written !== undefined) {
      return new Promise((resolve, reject) => {
        const aborted = () => reject(new this.#parts.AbortError(true));
        if (signal.aborted) aborted();
        signal.addEventListener('abort', aborted, { once: true });
        this.#client.delivered(written).then(resolve, reject);
      });
    }
    this.#publishing.set(call.payload, { tab, req });
    return this.#client.publish(call.topic, call.payload, { ...call.options, signal });
  }

  /** The highest QoS a tab asks for `filter` at: what the broker holds it at. */
  #maxQos(filter: string): QoS {
    let max = 0;
    for (const state of this.#tabs.values()) max = Math.max(max, state.subscriptions.get(filter)?.qos ?? -1);
    return max as QoS;
  }

  /**
   * Subscribes at the broker the filters no tab held, and those whose highest QoS asked for
   * changed (a tab alone may downgrade its subscription, as with a client of its own); the rest
   * are answered from what the broker granted.
   */
  async #subscribe(state: TabState, filters: string[], options: SubscribeOptions): Promise<SubscribeResult> {
    for (const filter of filters) {
      if (!state.subscriptions.has(filter)) {
        const held = this.#held.get(filter);
        if (held === undefined) this.#held.set(filter, { count: 1, qos: -1, granted: 0 });
        else held.count++;
      }
      state.subscriptions.set(filter, options);
    }
    this.#claim();
    const codes = new Map<string, number>();
    const byQos = new Map<QoS, string[]>();
    for (const filter of filters) {
      const max = this.#maxQos(filter);
      if (this.#held.get(filter)!.qos === max && options.properties === undefined) continue;
      byQos.set(max, [...(byQos.get(max) ?? []), filter]);
    }
    // Written before SUBSCRIBE: a next owner can drop it if this one dies with its tabs.
    if (byQos.size > 0) await this.#saveFilters();
    for (const [qos, list] of byQos) {
      const result = await this.#client.subscribe(list, { ...options, qos });
      list.forEach((filter, index) => {
        const code = result.reasonCodes[index]!;
        codes.set(filter, code);
        const held = this.#held.get(filter);
        if (held !== undefined && code < 0x80) Object.assign(held, { qos, granted: code });
      });
    }
    const asked = options.qos ?? 0;
    const reasonCodes = filters.map((filter) => codes.get(filter) ?? Math.min(asked, this.#held.get(filter)?.granted ?? asked));
    return { granted: reasonCodes.map((code) => (code < 0x80 ? code : 0)) as QoS[], reasonCodes };
  }

  /** Drops the tab's filters; a filter leaves the broker when no tab holds it any more. */
  async #unsubscribe(state: TabState, filters: string[], options: { properties?: unknown } = {}): Promise<UnsubscribeResult> {
    const last: string[] = [];
    const lowered: string[] = [];
    for (const filter of filters) {
      if (!state.subscriptions.delete(filter)) continue;
      const held = this.#held.get(filter);
      if (held === undefined) continue;
      if (--held.count === 0) {
        this.#held.delete(filter);
        last.push(filter);
      } else if (this.#maxQos(filter) < held.qos) {
        lowered.push(filter);
      }
    }
    for (const filter of lowered) {
      const qos = this.#maxQos(filter);
      void this.#client.subscribe(filter, { qos }).then(({ reasonCodes: [code = 0x80] }) => {
        const held = this.#held.get(filter);
        if (held !== undefined && code < 0x80) Object.assign(held, { qos, granted: code });
      }, () => undefined);
    }
    const result = last.length === 0 ? {} : await this.#leave(last, options);
    if (this.#client.protocolVersion !== 5) return {};
    return { reasonCodes: filters.map((filter) => (last.includes(filter) ? (result.reasonCodes?.[last.indexOf(filter)] ?? 0) : 0)) };
  }

  /** The tabs whose filters match `topic`. */
  #tabsFor(topic: string): string[] {
    const tabs: string[] = [];
    for (const [tab, state] of this.#tabs) {
      for (const filter of state.subscriptions.keys()) {
        if (this.#parts.topicMatches(filter, topic)) {
          tabs.push(tab);
          break;
        }
      }
    }
    return tabs;
  }

  /**
   * Routes the unclaimed messages that a tab now wants. A message that no tab wants (a tab
   * reloaded and not yet subscribed again) waits unacknowledged, UNCLAIMED_MS at most: the broker
   * keeps it ours meanwhile.
   */
  #claim(): void {
    for (const [message, timer] of [...this.#unclaimed]) {
      if (this.#tabsFor(message.topic).length === 0) continue;
      clearTimeout(timer);
      this.#unclaimed.delete(message);
      this.#route(message);
    }
  }

  #route(message: Message): void {
    const tabs = this.#tabsFor(message.topic);
    if (tabs.length === 0 && message.qos > 0 && !this.#closed) {
      this.#unclaimed.set(
        message,
        setTimeout(() => {
          this.#unclaimed.delete(message);
          void message.ack();
        }, UNCLAIMED_MS),
      );
      return;
    }
    const { topic, payload, qos, retain, dup, properties } = message;
    const shared: SharedMessage = properties === undefined ? { topic, payload, qos, retain, dup } : { topic, payload, qos, retain, dup, properties };
    const packetId = this.#parts.DeliveredMessage.packetIdOf(message);
    if (packetId !== undefined) shared.packetId = packetId;
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
