import type { OutboxChange, OutgoingRecord } from '@courier/core';
import type { LogEntry } from './log-state';

// Version 1 kept a record per message, its later states apart, received ids and the next id in
// four stores: a put per message cost more than everything else, so version 2 keeps a log.
const V1_STORES = ['outgoing', 'states', 'incoming', 'meta'] as const;

interface V1State {
  state: OutgoingRecord['state'];
  packetId?: number;
}

/**
 * Moves what a version 1 database holds into one compaction entry of the log at `key`, and
 * drops the old stores, inside the upgrade transaction: a failure aborts the upgrade and leaves
 * version 1 as it was.
 */
export function migrateV1(tx: IDBTransaction, log: IDBObjectStore, key: number): void {
  const requests = [
    tx.objectStore('outgoing').getAll(),
    tx.objectStore('states').getAllKeys(),
    tx.objectStore('states').getAll(),
    tx.objectStore('incoming').getAllKeys(),
    tx.objectStore('meta').get('nextId'),
  ] as const;
  let waiting = requests.length;
  const migrate = (): void => {
    const [records, stateIds, states, incoming, storedNextId] = requests.map((request) => request.result) as [
      OutgoingRecord[],
      number[],
      V1State[],
      number[],
      number | undefined,
    ];
    const latest = new Map(stateIds.map((id, i) => [id, states[i]!]));
    const changes: OutboxChange[] = [];
    let nextId = storedNextId ?? 1;
    for (const record of records) {
      const stored = latest.get(record.id);
      const migrated: OutgoingRecord = { ...record };
      if (stored !== undefined) {
        migrated.state = stored.state;
        if (stored.packetId === undefined) delete migrated.packetId;
        else migrated.packetId = stored.packetId;
      }
      changes.push({ op: 'put', record: migrated });
      nextId = Math.max(nextId, record.id + 1);
    }
    for (const packetId of incoming) changes.push({ op: 'putIncoming', packetId });
    const entry: LogEntry = { changes, reset: { nextId } };
    log.put(entry, key);
    for (const name of V1_STORES) tx.db.deleteObjectStore(name);
  };
  for (const request of requests) {
    request.onsuccess = () => {
      if (--waiting === 0) migrate();
    };
  }
}

/** Whether the database being upgraded has version 1's stores. */
export function hasV1Stores(db: IDBDatabase): boolean {
  return V1_STORES.every((name) => db.objectStoreNames.contains(name));
}
