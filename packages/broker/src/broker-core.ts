import type { QoS, Will } from '@courier/core';
import { type BrokerMessage, compact, type Delivery, messageFromWill } from './message';
import { NEVER_EXPIRES, type ResolvedOptions } from './options';
import { RetainedStore } from './retained-store';
import { findTargets, pickMember } from './router';
import type { Scheduler } from './scheduler';
import { Session, type SessionOwner } from './session';
import { createSessionState, enqueue, type SessionState, type StoredSubscription } from './session-state';
import type { SessionSnapshot } from './session-store';
import type { ParsedFilter } from './topic-filter';
import { parseTopicFilter } from './topic-filter';
import { TopicTree } from './topic-tree';

/** What `openSession` found: the session to use and whether it existed, and a will to publish now. */
export interface OpenedSession {
  session: Session;
  sessionPresent: boolean;
  /** The will of a connection whose session ended by this takeover, to publish once attached. */
  will: Will | undefined;
}

/**
 * The state shared by every connection, without any I/O: sessions, the subscription index,
 * retained messages, and the routing of messages to sessions. Connections reach it through their
 * protocol handlers; it reaches them back through `Session.owner`.
 */
export class BrokerCore {
  readonly sessions = new Map<string, Session>();
  private readonly tree = new TopicTree();
  private readonly retained = new RetainedStore();
  private assigned = 0;

  constructor(
    readonly options: ResolvedOptions,
    readonly scheduler: Scheduler,
  ) {}

  log(line: string): void {
    this.options.log(line);
  }

  /** A client id for a client that sent none, used by no session [MQTT-3.2.2-16]. */
  assignClientId(): string {
    let id: string;
    do id = `courier-${(++this.assigned).toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    while (this.sessions.has(id));
    return id;
  }

  /**
   * Finds or creates the session of a connecting client. An existing connection with that id is
   * taken over [MQTT-3.1.4-3]. Clean Start discards the old session [MQTT-3.1.2-4]; otherwise it
   * is resumed [MQTT-3.1.2-5] unless it was due to end with its connection (expiry 0). The old
   * will is published if the old session ends here, and dropped otherwise, since a new
   * connection came before its delay passed [MQTT-3.1.3-9] (as Mosquitto does).
   */
  openSession(clientId: string, clean: boolean, expiryIntervalS: number): OpenedSession {
    let existing = this.sessions.get(clientId);
    let will: Will | undefined;
    if (existing !== undefined) {
      const previous = existing.owner;
      existing.owner = undefined;
      previous?.takeOver();
      existing.cancelTimers();
      const ends = clean || existing.state.expiryIntervalS === 0;
      if (ends) will = existing.state.will;
      existing.state.will = undefined;
      if (ends) {
        this.discard(existing);
        existing = undefined;
      }
    }
    const session = existing ?? new Session(createSessionState(clientId, expiryIntervalS));
    session.state.expiryIntervalS = expiryIntervalS;
    this.sessions.set(clientId, session);
    return { session, sessionPresent: existing !== undefined, will };
  }

  /** Makes `owner` the connection of `session`: messages go to it from now on. */
  attach(session: Session, owner: SessionOwner): void {
    session.owner = owner;
    session.state.offlineSince = undefined;
  }

  /**
   * The connection of `session` is gone. Its will (unless discarded by a normal DISCONNECT) goes
   * out after the will delay, or when the session ends if that comes first [MQTT-3.1.2-8]; the
   * session ends after its expiry interval [MQTT-4.1.0-2], at once when that is 0.
   */
  detach(session: Session, owner: SessionOwner): void {
    if (session.owner !== owner) return;
    session.owner = undefined;
    session.state.offlineSince = this.scheduler.now();
    this.startOfflineTimers(session, 0);
  }

  /** The will delay and the session expiry of a session without a connection for `offlineMs` already. */
  private startOfflineTimers(session: Session, offlineMs: number): void {
    const { state } = session;
    const expiryS = state.expiryIntervalS;
    if (state.will !== undefined) {
      const delayMs = Math.min(state.will.properties?.willDelayInterval ?? 0, expiryS) * 1000 - offlineMs;
      if (delayMs <= 0) this.publishWill(session);
      else session.cancelWill = this.scheduler.after(delayMs, () => this.publishWill(session));
    }
    if (expiryS === 0) this.endSession(session);
    else if (expiryS !== NEVER_EXPIRES) {
      session.cancelExpiry = this.scheduler.after(Math.max(0, expiryS * 1000 - offlineMs), () => {
        this.log(`${session.clientId}: session expired after ${expiryS} s`);
        this.endSession(session);
      });
    }
  }

  /**
   * What outlives the connections, for a session store: every session that does not end with its
   * connection (expiry above 0), and the retained messages. Taken once no connection is left.
   */
  snapshot(): SessionSnapshot {
    const sessions: SessionState[] = [];
    for (const session of this.sessions.values()) if (session.state.expiryIntervalS !== 0) sessions.push(session.state);
    return { savedAt: this.scheduler.now(), sessions, retained: this.retained.all() };
  }

  /**
   * Takes up the sessions of a snapshot as sessions whose client is offline: subscriptions back in
   * the index, expiry and will delay counted from when each went offline (at the latest, when the
   * snapshot was taken).
   */
  restore(snapshot: SessionSnapshot): void {
    const now = this.scheduler.now();
    for (const message of snapshot.retained) this.retained.retain(message);
    for (const state of snapshot.sessions) {
      const session = new Session(state);
      this.sessions.set(state.clientId, session);
      for (const subscription of state.subscriptions.values()) {
        const parsed = parseTopicFilter(subscription.topicFilter);
        if (parsed !== undefined) this.tree.add(state.clientId, parsed.filter, subscription, parsed.shareName);
      }
    }
    // Once every session is back, so that a will published now reaches them all.
    for (const state of snapshot.sessions) {
      state.offlineSince ??= snapshot.savedAt;
      this.startOfflineTimers(this.sessions.get(state.clientId)!, Math.max(0, now - state.offlineSince));
    }
    this.log(`restored ${snapshot.sessions.length} session(s) and ${snapshot.retained.length} retained message(s)`);
  }

  /** Publishes the pending will of `session`, if it still has one. */
  publishWill(session: Session): void {
    const will = session.state.will;
    session.state.will = undefined;
    session.cancelWill?.();
    session.cancelWill = undefined;
    if (will !== undefined) this.publishWillMessage(will, session.clientId);
  }

  /** Publishes a will as the message it carries [MQTT-3.1.2-14], [MQTT-3.1.2-15]. */
  publishWillMessage(will: Will, clientId: string): void {
    const message = messageFromWill(will, clientId, this.scheduler.now());
    if (message.retain) this.retain(message);
    this.publish(message);
    this.log(`will of ${clientId} published to ${message.topic}`);
  }

  /** Ends a session: its pending will goes out first ("or the Session ends", [MQTT-3.1.2-8]). */
  private endSession(session: Session): void {
    if (this.sessions.get(session.clientId) !== session) return;
    this.publishWill(session);
    this.discard(session);
  }

  private discard(session: Session): void {
    session.cancelTimers();
    for (const subscription of session.state.subscriptions.values()) this.removeFromTree(session.clientId, subscription);
    session.state.subscriptions.clear();
    if (this.sessions.get(session.clientId) === session) this.sessions.delete(session.clientId);
  }

  /**
   * Adds or replaces a subscription of `session` [MQTT-3.8.4-3]; true when one with the same
   * filter existed (Retain Handling 1 needs to know, [MQTT-3.3.1-10]).
   */
  subscribe(session: Session, subscription: StoredSubscription, parsed: ParsedFilter): boolean {
    const { subscriptions } = session.state;
    const existed = subscriptions.has(subscription.topicFilter);
    subscriptions.set(subscription.topicFilter, subscription);
    this.tree.add(session.clientId, parsed.filter, subscription, parsed.shareName);
    return existed;
  }

  /** Removes the subscription whose filter is exactly `topicFilter` [MQTT-3.10.4-1]; false if none. */
  unsubscribe(session: Session, topicFilter: string): boolean {
    const subscription = session.state.subscriptions.get(topicFilter);
    if (subscription === undefined) return false;
    session.state.subscriptions.delete(topicFilter);
    this.removeFromTree(session.clientId, subscription);
    return true;
  }

  private removeFromTree(clientId: string, subscription: StoredSubscription): void {
    const parsed = parseTopicFilter(subscription.topicFilter);
    if (parsed !== undefined) this.tree.remove(clientId, parsed.filter, parsed.shareName);
  }

  /** Stores or clears the retained message of a topic. */
  retain(message: BrokerMessage): void {
    this.retained.retain(message);
  }

  /** The retained messages a new subscription to `filter` receives. */
  retainedMatching(filter: string): BrokerMessage[] {
    return this.retained.matching(filter, this.scheduler.now());
  }

  /**
   * Routes a message to every matching session (4.5) at min(published QoS, granted QoS)
   * [MQTT-3.8.4-8]; returns how many sessions it went to (5.0: none gives 0x10 in the ack).
   */
  publish(message: BrokerMessage): number {
    const { clients, groups } = findTargets(this.tree, message);
    for (const [clientId, target] of clients) {
      this.deliverTo(clientId, {
        message,
        qos: Math.min(message.qos, target.qos) as QoS,
        retain: target.retain,
        subscriptionIdentifiers: target.subscriptionIdentifiers,
      });
    }
    for (const group of groups) {
      // A shared subscription gets its own copy, to one member [MQTT-4.8.2-3].
      const [clientId, subscription] = pickMember(group, (id) => this.sessions.get(id)?.owner !== undefined);
      const id = subscription.subscriptionIdentifier;
      this.deliverTo(clientId, {
        message,
        qos: Math.min(message.qos, subscription.qos) as QoS,
        retain: message.retain && subscription.retainAsPublished,
        subscriptionIdentifiers: id === undefined ? undefined : [id],
      });
    }
    return clients.size + groups.length;
  }

  private deliverTo(clientId: string, delivery: Delivery): void {
    const session = this.sessions.get(clientId);
    if (session === undefined) return;
    if (session.owner !== undefined) {
      session.owner.deliver(delivery);
      return;
    }
    // Offline: QoS 1 and 2 wait in the session [MQTT-4.5.0-1]; QoS 0 is not kept, as Mosquitto
    // does by default.
    if (delivery.qos === 0) return;
    compact(delivery.message);
    this.queueOrDrop(session, delivery);
  }

  /** Queues a delivery in `session`, or drops it (logged once per run) when its queue is full. */
  queueOrDrop(session: Session, delivery: Delivery): void {
    if (enqueue(session.state, delivery, this.options.maxQueuedMessages, this.scheduler.now())) {
      session.dropping = false;
      return;
    }
    if (!session.dropping) {
      session.dropping = true;
      this.log(`${session.clientId}: queue full (${this.options.maxQueuedMessages} messages), dropping new messages`);
    }
  }

  /** Forgets everything: the broker is closing. */
  clear(): void {
    for (const session of this.sessions.values()) session.cancelTimers();
    this.sessions.clear();
  }
}
