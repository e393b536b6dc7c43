import type { Outbox, OutboxChange, OutboxStore, OutgoingRecord } from '@courier/core';

/** What the owner's outbox tells the owner, and asks it. */
export interface OutboxTracker {
  /** The tab request a payload being published answers (`<tab>:<req>`), if any. */
  requestOf(payload: Uint8Array): string | undefined;
  /** The record of `payload` is durable under `id`. */
  durable(payload: Uint8Array, id: number): void;
  /** The outbox opened with these records (those an owner gone since wrote, with their requests). */
  opened(records: readonly OutgoingRecord[]): void;
}

/** A record as the owner writes it: with the tab request it answers. */
export type TrackedRecord = OutgoingRecord & { request?: string };

/**
 * The owner's outbox: `inner`, with the tab request that each record answers written in the
 * record itself (one write: a next owner finds it even when the tab never learnt the id), and
 * telling the owner the id of each record once its write is durable, in the same task, so that
 * the tab learns it before the message can go out.
 */
export function trackingOutbox(inner: OutboxStore, tracker: () => OutboxTracker | undefined): OutboxStore {
  return {
    async open(clientId, hooks) {
      const outbox = await inner.open(clientId, hooks);
      tracker()?.opened(outbox.restored.outgoing);
      const tracked: Outbox = {
        restored: outbox.restored,
        close: () => outbox.close(),
        write(changes) {
          const track = tracker();
          if (track === undefined || !changes.some((change) => change.op === 'put')) return outbox.write(changes);
          const named: OutboxChange[] = changes.map((change) => {
            const request = change.op === 'put' ? track.requestOf(change.record.payload) : undefined;
            return request === undefined || change.op !== 'put' ? change : { op: 'put', record: { ...change.record, request } as TrackedRecord };
          });
          const result = outbox.write(named);
          const tell = () => {
            for (const change of changes) if (change.op === 'put') track.durable(change.record.payload, change.record.id);
          };
          if (result === undefined) {
            tell();
            return undefined;
          }
          return result.then(tell);
        },
      };
      return tracked;
    },
  };
}
