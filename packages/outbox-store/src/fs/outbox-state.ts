import { applyOutboxUpdate, type OutboxDamage, type OutboxSnapshot, type OutgoingRecord } from '@courier/core';
import { changeSize, type JournalChange } from './change-codec';

// A compacted journal holds one record per this many bytes of changes, about: small enough that
// a damaged record loses a few hundred messages, not all of them.
const SNAPSHOT_RECORD_BYTES = 64 * 1024;

const INCOMING_BYTES = changeSize({ op: 'putIncoming', packetId: 1 });

/**
 * What the journal amounts to: the changes replayed, held in memory. It answers `restored`,
 * is what compaction writes out, and counts the bytes a compacted journal would take (the
 * live bytes) so the writer can tell when dead records outweigh live ones.
 */
export class OutboxState {
  private readonly outgoing = new Map<number, { record: OutgoingRecord; bytes: number }>();
  private readonly incoming = new Set<number>();
  private nextId = 1;
  private outgoingBytes = 0;

  /** About what a journal holding only this state takes, in bytes. */
  get liveBytes(): number {
    return this.outgoingBytes + this.incoming.size * INCOMING_BYTES;
  }

  /** Applies the changes of one write, in order (as MemoryOutbox does); keeps the records it is given. */
  apply(changes: readonly JournalChange[]): void {
    for (const change of changes) {
      switch (change.op) {
        case 'put': {
          const { record } = change;
          this.forget(record.id);
          const bytes = changeSize(change);
          this.outgoing.set(record.id, { record, bytes });
          this.outgoingBytes += bytes;
          if (record.id >= this.nextId) this.nextId = record.id + 1;
          break;
        }
        case 'update': {
          const entry = this.outgoing.get(change.id);
          if (entry === undefined) break;
          const { record } = entry;
          applyOutboxUpdate(record, change);
          this.outgoingBytes -= entry.bytes;
          entry.bytes = changeSize({ op: 'put', record });
          this.outgoingBytes += entry.bytes;
          break;
        }
        case 'delete':
          this.forget(change.id);
          break;
        case 'putIncoming':
          this.incoming.add(change.packetId);
          break;
        case 'deleteIncoming':
          this.incoming.delete(change.packetId);
          break;
        case 'clearIncoming':
          this.incoming.clear();
          break;
        case 'nextId':
          if (change.nextId > this.nextId) this.nextId = change.nextId;
          break;
      }
    }
  }

  /** What the outbox holds, as `restored` gives it: copies, outgoing in id order. */
  snapshot(damage: OutboxDamage[]): OutboxSnapshot {
    const snapshot: OutboxSnapshot = {
      outgoing: [...this.outgoing.values()].map(({ record }) => ({ ...record })).sort((a, b) => a.id - b.id),
      incoming: [...this.incoming].sort((a, b) => a - b),
      nextId: this.nextId,
    };
    if (damage.length > 0) snapshot.damage = damage;
    return snapshot;
  }

  /** The state as batches of changes that rebuild it from nothing: what compaction writes. */
  batches(): JournalChange[][] {
    const batches: JournalChange[][] = [];
    let batch: JournalChange[] = [{ op: 'nextId', nextId: this.nextId }];
    let bytes = 0;
    const add = (change: JournalChange, size: number): void => {
      if (bytes + size > SNAPSHOT_RECORD_BYTES && batch.length > 0) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(change);
      bytes += size;
    };
    const records = [...this.outgoing.values()].sort((a, b) => a.record.id - b.record.id);
    for (const { record, bytes: size } of records) add({ op: 'put', record }, size);
    for (const packetId of this.incoming) add({ op: 'putIncoming', packetId }, INCOMING_BYTES);
    batches.push(batch);
    return batches;
  }

  private forget(id: number): void {
    const entry = this.outgoing.get(id);
    if (entry === undefined) return;
    this.outgoing.delete(id);
    this.outgoingBytes -= entry.bytes;
  }
}
