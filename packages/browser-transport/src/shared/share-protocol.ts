import type { ClientEvents, MqttError, PublishOptions, SubscribeOptions, UnsubscribeOptions } from '@courier/core';
import type { CoreParts } from './core-parts';

/**
 * The messages between the tabs that share one session and its owner (the context that runs the
 * real client). Everything is structured-clonable: the same messages travel over a SharedWorker's
 * port and over a BroadcastChannel. A request carries its tab's id and a number of its own, so
 * that a request sent again to a new owner is recognised, and carried out once.
 */

/** A publish as a tab asks for it; `id` once an owner has made it durable (then it is only awaited). */
export interface PublishCall {
  op: 'publish';
  topic: string;
  payload: Uint8Array;
  options: Omit<PublishOptions, 'signal'>;
  id?: number;
  /** The tab's signal aborted: an owner calls it back if it has not gone out (a next owner too). */
  aborted?: boolean;
}

/** What a tab asks of the owner; each is answered by one `settle` with the same `req`. */
export type Call =
  | PublishCall
  | { op: 'subscribe'; filters: string[]; options: SubscribeOptions }
  | { op: 'unsubscribe'; filters: string[]; options: UnsubscribeOptions }
  | { op: 'pending' }
  | { op: 'delivered'; id: number }
  | { op: 'whenConnected' };

/** A tab's subscriptions, as it tells a new owner. */
export type TabSubscriptions = [filter: string, options: SubscribeOptions][];

export type ToOwner =
  /** A tab is here (or asks who owns the session now); with its subscriptions. */
  | { type: 'hello'; tab: string; subscriptions: TabSubscriptions }
  | { type: 'call'; tab: string; req: number; call: Call }
  /** The signal of publish `req` aborted: call it back where it has not gone out yet. */
  | { type: 'abort'; tab: string; req: number }
  /** The tab has message `key`: the owner's ack may go once every tab that got it says so. */
  | { type: 'ack'; tab: string; key: number }
  /** The tab ended its client (a closed tab is noticed by its lock instead). */
  | { type: 'bye'; tab: string };

/** A received message as it travels to the tabs. */
export interface SharedMessage {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
  properties?: unknown;
  /** QoS 1/2: the broker's packet id, which its resend to a next owner keeps [MQTT-4.4.0-1]. */
  packetId?: number;
}

/** The lifecycle events an owner forwards to every tab. */
export type ForwardedEvent = 'connect' | 'disconnect' | 'reconnecting' | 'error' | 'warning' | 'sessionLost';

export type ToTab =
  /** Who owns the connection now, and whether it is connected. */
  | { type: 'owner'; owner: string; connected: boolean }
  | { type: 'settle'; tab: string; req: number; ok: true; value: unknown }
  | { type: 'settle'; tab: string; req: number; ok: false; error: SerializedError }
  /** Publish `req` is in the outbox under `id`: a next owner only awaits it, never sends it again. */
  | { type: 'durable'; tab: string; req: number; id: number }
  | { type: 'message'; key: number; tabs: string[]; message: SharedMessage }
  /** The ack of message `key` went to the broker (or never will): the tabs' `ack()` settle. */
  | { type: 'acked'; key: number }
  | { type: 'event'; name: ForwardedEvent; payload: unknown };

/** The events forwarded, with the payloads they carry. */
export type ForwardedPayload<K extends ForwardedEvent> = ClientEvents[K];

/** An error as it crosses to another context: its class name, code, message and own fields. */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  fields: Record<string, unknown>;
}

/** Courier's error classes, by name: an error of one is revived of it. */
const CLASSES = new Set(['AbortError', 'ClientEndedError', 'ConnectionError', 'ConnectRefusedError', 'InvalidArgumentError', 'OutboxError', 'ProtocolError', 'PublishRejectedError', 'QueueFullError', 'SubscribeRejectedError']);

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'MqttError', code: 'ERR_INTERNAL', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(error)) {
    if (field !== 'code' && field !== 'name' && field !== 'cause') fields[field] = value;
  }
  return { name: error.name, code: (error as MqttError).code ?? 'ERR_INTERNAL', message: error.message, fields };
}

/** The error again, of its class where it is one of Courier's, so that `instanceof` and `code` both work. */
export function reviveError(serialized: SerializedError, parts: CoreParts): MqttError {
  const error = new parts.MqttError(serialized.code as MqttError['code'], serialized.message);
  if (CLASSES.has(serialized.name)) Object.setPrototypeOf(error, (parts[serialized.name as keyof CoreParts] as { prototype: MqttError }).prototype);
  error.name = serialized.name;
  Object.assign(error, serialized.fields);
  return error;
}

/** Errors in a forwarded event's payload, as they can cross. */
export function clonableEvent(payload: unknown): unknown {
  if (payload instanceof Error) return { __error: serializeError(payload) };
  if (payload === null || typeof payload !== 'object') return payload;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) copy[key] = value instanceof Error ? { __error: serializeError(value) } : value;
  return copy;
}

/** An error of an event payload again (the owner sends them as `{ __error }`). */
export function revivedEvent(payload: unknown, parts: CoreParts): unknown {
  const revive = (value: unknown) =>
    value !== null && typeof value === 'object' && '__error' in value ? reviveError((value as { __error: SerializedError }).__error, parts) : value;
  if (payload === null || typeof payload !== 'object') return payload;
  if ('__error' in payload) return revive(payload);
  return Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, revive(value)]));
}

/**
 * What tells a QoS 2 message sent again from another: the broker's packet id, which its resend
 * within the session keeps [MQTT-4.4.0-1], so that two messages alike in topic and payload are
 * two. Topic and payload (FNV-1a) are part of it too: an id whose flow ended at an owner gone
 * since, unknown to the tab, and reused for another message is not taken for the old one.
 */
export function resendIdentity(message: SharedMessage): string {
  let hash = 0x811c9dc5;
  for (const byte of message.payload) hash = Math.imul(hash ^ byte, 0x01000193);
  return `${message.packetId}\u0000${message.topic}\u0000${message.payload.length}:${hash >>> 0}`;
}

/** Structured clone takes no functions: the options a tab can hand to an owner elsewhere. */
export function clonable<T>(value: T): T {
  if (typeof value === 'function') return undefined as T;
  if (value instanceof URL) return value.href as T;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map(clonable) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (typeof field !== 'function' && typeof field !== 'symbol') copy[key] = clonable(field);
  }
  return copy as T;
}
