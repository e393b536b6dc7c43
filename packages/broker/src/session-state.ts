import type { QoS, Will } from '@courier/core';
import { type Delivery, isExpired } from './message';

/** One subscription of a session, with its options as granted (3.8.3.1). */
export interface StoredSubscription {
  /** The filter as the client sent it, `$share/...` prefix included. */
  readonly topicFilter: string;
  readonly qos: QoS;
  readonly noLocal: boolean;
  readonly retainAsPublished: boolean;
  readonly retainHandling: 0 | 1 | 2;
  readonly subscriptionIdentifier: number | undefined;
}

/** A QoS 1 or 2 message sent to the client and not yet acknowledged. */
export interface InflightMessage {
  readonly packetId: number;
  readonly delivery: Delivery;
  /** QoS 2 only: PUBREC received and PUBREL sent, so PUBREL is what a resend sends [MQTT-4.3.3-6]. */
  released: boolean;
}

/**
 * Everything the broker keeps for one client id between connections (4.1): plain data, so that a
 * later session store can persist it as it is. What only lives while the broker runs (the live
 * connection, timers) is in `Session`.
 */
export interface SessionState {
  readonly clientId: string;
  /** Seconds the session outlives its connection; 0xFFFFFFFF never expires (3.1.2.11.2). */
  expiryIntervalS: number;
  /** By topic filter as sent (so `$share/g/a` and `a` are two subscriptions). */
  readonly subscriptions: Map<string, StoredSubscription>;
  /**
   * Outgoing QoS 1/2 messages in flight, by packet id, in the order they were first sent: the
   * order of the resend on reconnect (4.6). Design: a Map gives O(1) acks and keeps that order.
   */
  readonly inflight: Map<number, InflightMessage>;
  /** Messages waiting to be sent: client offline, window full or connection congested. */
  readonly queue: Delivery[];
  /** The next outgoing packet id to try (1 to 65,535). */
  nextPacketId: number;
  /** Incoming QoS 2 packet ids answered with PUBREC and not yet released by PUBREL [MQTT-4.3.3-10]. */
  readonly inboundQos2: Set<number>;
  /** The will of the last connection, until it is published or discarded [MQTT-3.1.2-7]. */
  will: Will | undefined;
  /** When its connection went (ms since the epoch); undefined while connected. Expiry counts from it. */
  offlineSince: number | undefined;
}

/** A new, empty session. */
export function createSessionState(clientId: string, expiryIntervalS: number): SessionState {
  return {
    clientId,
    expiryIntervalS,
    subscriptions: new Map(),
    inflight: new Map(),
    queue: [],
    nextPacketId: 1,
    inboundQos2: new Set(),
    will: undefined,
    offlineSince: undefined,
  };
}

/**
 * A packet id that no outgoing message in flight uses [MQTT-2.2.1-4]. The caller keeps the
 * window below 65,535, so there always is one.
 */
export function allocatePacketId(state: SessionState): number {
  let id = state.nextPacketId;
  while (state.inflight.has(id)) id = id === 0xffff ? 1 : id + 1;
  state.nextPacketId = id === 0xffff ? 1 : id + 1;
  return id;
}

// When each full queue was last searched for expired messages. Searching it for every message
// that arrives while it is full cost O(limit) per message: a client that never reads made every
// publish to it scan (and copy) its whole queue. Expiry intervals are whole seconds, so once a
// second is enough.
const lastSweep = new WeakMap<Delivery[], number>();
const SWEEP_INTERVAL_MS = 1000;

/**
 * Queues a delivery unless the queue holds `limit` messages already (after dropping the expired
 * ones, looked for at most once a second); false when it was dropped.
 */
export function enqueue(state: SessionState, delivery: Delivery, limit: number, now: number): boolean {
  const { queue } = state;
  if (queue.length >= limit) {
    const swept = lastSweep.get(queue);
    if (swept !== undefined && now - swept < SWEEP_INTERVAL_MS) return false;
    lastSweep.set(queue, now);
    let kept = 0;
    for (const queued of queue) if (!isExpired(queued.message, now)) queue[kept++] = queued;
    queue.length = kept;
    if (kept >= limit) return false;
  }
  queue.push(delivery);
  return true;
}
