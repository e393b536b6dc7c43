import type { OutboxChange, OutboxSnapshot, OutgoingRecord } from '@courier/core';
import type { CoreParts } from './core-parts';

/**
 * One entry of the IndexedDB log: the changes of the writes one transaction committed, in
 * order. A compaction's entry carries `reset`: what came before it is replaced by its changes,
 * and ids below `reset.nextId` are never given again.
 */
export interface LogEntry {
  changes: readonly OutboxChange[];
  reset?: { nextId: number };
}

// About what a change costs in the database, to tell when dead entries outweigh live ones.
const CHANGE_BYTES = 16;
const PUT_BYTES = 48;
const PROPERTIES_BYTES = 64;

function recordBytes(record: OutgoingRecord): number {
  return PUT_BYTES + record.topic.length + record.payload.byteLength + (record.properties === undefined ? 0 : PROPERTIES_BYTES);
}

/**
 * What the log amounts to: its entries replayed. It gives `restored`, is what a compaction
 * writes, and counts the bytes logged since the last compaction against the bytes still live.
 * The records it keeps are its own copies (see `copyChanges`): an update changes them in place.
 */
export class LogState {
  readonly outgoing = new Map<number, OutgoingRecord>();
  readonly incoming = new Set<number>();
  nextId = 1;
  /** Bytes the entries since the last compaction take, about. */
  loggedBytes = 0;
  #outgoingBytes = 0;
  readonly #applyUpdate: CoreParts['applyOutboxUpdate'];

  constructor({ applyOutboxUpdate }: CoreParts) {
    this.#applyUpdate = applyOutboxUpdate;
  }

  /** About what an entry holding only this state would take. */
  get liveBytes(): number {
    return this.#outgoingBytes + this.incoming.size * CHANGE_BYTES;
  }

  /** Applies one entry, as read back or as just committed. */
  apply(entry: LogEntry): void {
    if (entry.reset !== undefined) {
      this.outgoing.clear();
      this.incoming.clear();
      this.#outgoingBytes = 0;
      this.loggedBytes = 0;
      if (entry.reset.nextId > this.nextId) this.nextId = entry.reset.nextId;
    }
    for (const change of entry.changes) this.#applyChange(change);
  }

  /** The state as one compaction entry. */
  image(): LogEntry {
    const changes: OutboxChange[] = [];
    for (const id of [...this.outgoing.keys()].sort((a, b) => a - b)) changes.push({ op: 'put', record: this.outgoing.get(id)! });
    for (const packetId of this.incoming) changes.push({ op: 'putIncoming', packetId });
    return { changes, reset: { nextId: this.nextId } };
  }

  /** What the outbox holds, as `restored` gives it: copies, outgoing in id order. */
  snapshot(): OutboxSnapshot {
    return {
      outgoing: [...this.outgoing.values()].map((record) => ({ ...record })).sort((a, b) => a.id - b.id),
      incoming: [...this.incoming].sort((a, b) => a - b),
      nextId: this.nextId,
    };
  }

  #applyChange(change: OutboxChange): void {
    switch (change.op) {
      case 'put': {
        const { record } = change;
        this.#forget(record.id);
        this.outgoing.set(record.id, record);
        const bytes = recordBytes(record);
        this.#outgoingBytes += bytes;
        this.loggedBytes += bytes;
        if (record.id >= this.nextId) this.nextId = record.id + 1;
        return;
      }
      case 'update': {
        this.loggedBytes += CHANGE_BYTES;
        const record = this.outgoing.get(change.id);
        if (record === undefined) return;
        this.#applyUpdate(record, change);
        return;
      }
      case 'delete':
        this.loggedBytes += CHANGE_BYTES;
        this.#forget(change.id);
        return;
      case 'putIncoming':
        this.loggedBytes += CHANGE_BYTES;
        this.incoming.add(change.packetId);
        return;
      case 'deleteIncoming':
        this.loggedBytes += CHANGE_BYTES;
        this.incoming.delete(change.packetId);
        return;
      case 'clearIncoming':
        this.loggedBytes += CHANGE_BYTES;
        this.incoming.clear();
        return;
    }
  }

  #forget(id: number): void {
    const record = this.outgoing.get(id);
    if (record === undefined) return;
    this.outgoing.delete(id);
    this.#outgoingBytes -= recordBytes(record);
  }
}

/**
 * The changes of a write as the log keeps them, taken when the write is issued: the caller may
 * reuse its objects, and the state updates its records in place. A payload that is a view into
 * a larger buffer is cut to its own bytes: IndexedDB would clone the whole buffer.
 */
export function copyChanges(changes: readonly OutboxChange[]): OutboxChange[] {
  return changes.map((change) => {
    if (change.op !== 'put') return { ...change };
    const record = { ...change.record };
    const { payload } = record;
    if (payload.byteOffset !== 0 || payload.byteLength !== payload.buffer.byteLength) record.payload = payload.slice();
    return { op: 'put', record };
  });
}
