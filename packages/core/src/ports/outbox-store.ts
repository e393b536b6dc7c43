import type { QoS } from '../codec/packet';
import type { PublishProperties } from '../codec/properties';

/**
 * Where an outgoing QoS 1 or 2 message stands: waiting to be sent; sent under `packetId` and not
 * yet acknowledged; or, QoS 2 only, acknowledged by PUBREC and waiting for PUBCOMP.
 */
export type OutgoingState = 'queued' | 'sent' | 'released';

/** One outgoing message as the outbox keeps it. */
export interface OutgoingRecord {
  /** The sequence id: assigned once, in publish order, never reused. The record's key. */
  id: number;
  topic: string;
  payload: Uint8Array;
  qos: Exclude<QoS, 0>;
  retain: boolean;
  properties?: PublishProperties;
  state: OutgoingState;
  /** The packet id it was sent under; present exactly when `state` is not 'queued'. */
  packetId?: number;
}

/** A change to the outbox. A batch of them is applied in order, as one write. */
export type OutboxChange =
  /**
   * Adds a record (or replaces the one with its id). The caller never changes the record after
   * the write, so a store may keep it as it is rather than a copy; a store never changes it either
   * (the caller may go on reading it): an update makes a new record.
   */
  | { op: 'put'; record: OutgoingRecord }
  /** Moves a record to a new state, with the packet id it now goes under (none when queued). */
  | { op: 'update'; id: number; state: OutgoingState; packetId?: number }
  /** Forgets a record: its flow is complete. */
  | { op: 'delete'; id: number }
  /** Remembers a received QoS 2 packet id until its PUBREL. */
  | { op: 'putIncoming'; packetId: number }
  | { op: 'deleteIncoming'; packetId: number }
  /** Forgets every received QoS 2 packet id (the broker started a new session). */
  | { op: 'clearIncoming' };

/** Stored bytes an outbox could not read back, and skipped (a torn tail after a crash, say). */
export interface OutboxDamage {
  /** Where in the store, in the store's own terms (a byte offset in a journal file...). */
  where: string;
  /** How much was skipped, in bytes. */
  bytes: number;
  reason: string;
}

/** What an outbox held when it was opened. */
export interface OutboxSnapshot {
  /** Outgoing records, in id order. */
  outgoing: OutgoingRecord[];
  /** Received QoS 2 packet ids still waiting for PUBREL. */
  incoming: number[];
  /** Greater than every id this outbox has ever been given, deleted records included. */
  nextId: number;
  /** What could not be read back and was skipped; the client reports each as a warning. */
  damage?: OutboxDamage[];
  /**
   * What the application should know about this outbox as it opens, in words (it keeps nothing
   * across a reload here, say), so that no fallback is silent; for a `warning` event at connect.
   */
  warnings?: string[];
}

/** One client's outbox, open, as `OutboxStore.open` resolves with it; implement it when writing an outbox store. */
export interface Outbox {
  /** What the outbox held when it was opened. */
  readonly restored: OutboxSnapshot;
  /**
   * Applies `changes` in order. Writes are applied in the order they are issued, and each one
   * completes only once it is durable (as durable as this store makes anything): returning
   * nothing means it already is; a returned promise settles when it is, or rejects (with an
   * `OutboxError`) when it cannot be, in which case none of the batch was applied.
   */
  write(changes: readonly OutboxChange[]): void | Promise<void>;
  /** Flushes and releases the outbox (and any lock on it). */
  close(): Promise<void>;
}

/**
 * Durable storage for what a client still owes and what it has received at QoS 2, one namespace
 * per client id. `MemoryOutbox` keeps it for the life of the process; the file and IndexedDB
 * stores in @courier/outbox-store keep it across crashes and reloads. Every implementation runs
 * the contract suite in `@courier/core/testing`.
 */
export interface OutboxStore {
  /** Opens the outbox of `clientId`, with what an earlier run left in it. */
  open(clientId: string, hooks?: OutboxOpenHooks): Promise<Outbox>;
}

/** What an outbox store may tell the client while it opens. */
export interface OutboxOpenHooks {
  /** The outbox is held elsewhere (another tab) and the open waits for it: the client emits a `warning`. */
  waiting?(message: string): void;
}
