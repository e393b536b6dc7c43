import { type IDBPDatabase, openDB, unwrap } from 'idb';
import { type Outbox, type OutboxChange, OutboxError, type OutboxSnapshot, type OutboxStore, type OutgoingRecord } from '@courier/core';
import { acquireOutboxLock, type HeldLock, type LockMode } from './outbox-lock';

/** Options of `indexedDbOutbox`: which database, and what to do when another tab holds it. */
export interface IndexedDbOutboxOptions {
  /** The prefix of the database names: one database per client id (default "courier-outbox"). */
  name?: string;
  /** When another tab holds this client's outbox: wait for it (default) or fail at once. */
  lock?: LockMode;
  /**
   * IndexedDB's durability hint. 'relaxed' (the default) survives reloads, closed tabs and
   * crashed pages; 'strict' also waits for the disk, against a crash of the whole machine.
   */
  durability?: 'relaxed' | 'strict';
}

// Records as put; their later states and packet ids; received QoS 2 ids; the next sequence id.
// Every change is a blind write (no read first): a read-modify-write would let a later delete
// in the same transaction run first.
const OUTGOING = 'outgoing';
const STATES = 'states';
const INCOMING = 'incoming';
const META = 'meta';
const STORES = [OUTGOING, STATES, INCOMING, META];

interface StoredState {
  state: OutgoingRecord['state'];
  packetId?: number;
}

/**
 * Owed messages in IndexedDB, for browsers: they survive a reload, a closed tab, a crashed page.
 * One database per client id; the writes of one tick share one transaction; the Web Locks API
 * keeps one tab per client id. A full quota is an OutboxError on publish(), never a silent loss.
 */
export function indexedDbOutbox(options: IndexedDbOutboxOptions = {}): OutboxStore {
  const prefix = options.name ?? 'courier-outbox';
  return {
    async open(clientId: string): Promise<Outbox> {
      const name = `${prefix}:${clientId}`;
      const lock = await acquireOutboxLock(name, options.lock ?? 'wait');
      try {
        const db = await openDB(name, 1, {
          upgrade(database) {
            database.createObjectStore(OUTGOING, { keyPath: 'id' });
            database.createObjectStore(STATES);
            database.createObjectStore(INCOMING);
            database.createObjectStore(META);
          },
        });
        const tx = db.transaction(STORES, 'readonly');
        const [records, stateKeys, states, incoming, nextId] = await Promise.all([
          tx.objectStore(OUTGOING).getAll() as Promise<OutgoingRecord[]>,
          tx.objectStore(STATES).getAllKeys() as Promise<number[]>,
          tx.objectStore(STATES).getAll() as Promise<StoredState[]>,
          tx.objectStore(INCOMING).getAllKeys() as Promise<number[]>,
          tx.objectStore(META).get('nextId') as Promise<number | undefined>,
        ]);
        const latest = new Map(stateKeys.map((id, i) => [id, states[i]!]));
        const outgoing = records.map((record) => withState(record, latest.get(record.id)));
        const highest = outgoing.reduce((max, record) => Math.max(max, record.id), 0);
        const restored: OutboxSnapshot = { outgoing, incoming, nextId: Math.max(nextId ?? 1, highest + 1) };
        return new IndexedDbOutbox(db, lock, restored, new Set(stateKeys), options.durability ?? 'relaxed');
      } catch (error) {
        lock.release();
        throw error instanceof OutboxError ? error : new OutboxError(`IndexedDB could not open the outbox: ${(error as Error)?.message}`, { cause: error });
      }
    },
  };
}

interface Pending {
  changes: readonly OutboxChange[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

class IndexedDbOutbox implements Outbox {
  readonly restored: OutboxSnapshot;
  readonly #raw: IDBDatabase;
  readonly #lock: HeldLock;
  readonly #durability: 'relaxed' | 'strict';
  #batch: Pending[] = [];
  #nextId: number;
  #closed = false;
  #last: Promise<void> = Promise.resolve();
  #committing = false;
  #commitQueued = false;
  /** Writes of a failed transaction, tried again one per transaction. */
  readonly #alone: Pending[] = [];

  /** Ids with an entry in `states`: a delete touches that store only for them. */
  readonly #stated: Set<number>;

  constructor(db: IDBPDatabase, lock: HeldLock, restored: OutboxSnapshot, stated: Set<number>, durability: 'relaxed' | 'strict') {
    this.#raw = unwrap(db);
    this.#stated = stated;
    this.#lock = lock;
    this.restored = restored;
    this.#nextId = restored.nextId;
    this.#durability = durability;
  }

  write(changes: readonly OutboxChange[]): Promise<void> {
    if (this.#closed) return Promise.reject(new OutboxError('the outbox is closed'));
    return new Promise((resolve, reject) => {
      this.#batch.push({ changes, resolve, reject });
      // Group commit: the writes of this run of code, and all those issued while a transaction
      // is committing, go in the next one. Read-write transactions on the same stores run one
      // after the other anyway, and one per write capped a client at about 1,200 writes/s.
      if (this.#committing || this.#commitQueued) return;
      this.#commitQueued = true;
      queueMicrotask(this.#commitNext);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#committing || this.#commitQueued || this.#alone.length > 0) await this.#last;
    this.#raw.close();
    this.#lock.release();
  }

  readonly #commitNext = (): void => {
    this.#commitQueued = false;
    if (this.#alone.length > 0) {
      this.#commit([this.#alone.shift() as Pending]);
    } else if (this.#batch.length > 0) {
      const batch = this.#batch;
      this.#batch = [];
      this.#commit(batch);
    }
  };

  #commit(batch: Pending[]): void {
    let tx: IDBTransaction;
    try {
      // The raw API on this path: idb wraps every request in a promise, which cost a quarter of
      // the outbox's time here.
      tx = this.#raw.transaction(STORES, 'readwrite', { durability: this.#durability });
    } catch (error) {
      // The browser closed the database (the user cleared site data, say): nothing is stored.
      const failure = new OutboxError(`IndexedDB refused the write: ${(error as Error)?.message}`, { cause: error });
      for (const pending of [...batch, ...this.#alone.splice(0), ...this.#batch.splice(0)]) pending.reject(failure);
      return;
    }
    this.#committing = true;
    const outgoing = tx.objectStore(OUTGOING);
    const states = tx.objectStore(STATES);
    const incoming = tx.objectStore(INCOMING);
    let nextId = this.#nextId;
    const deleted: number[] = [];
    for (const { changes } of batch) {
      for (const change of changes) {
        switch (change.op) {
          case 'put':
            outgoing.put(change.record); // a fresh id: ids are never reused, so no stale state
            nextId = Math.max(nextId, change.record.id + 1);
            break;
          case 'update':
            states.put(change.packetId === undefined ? { state: change.state } : { state: change.state, packetId: change.packetId }, change.id);
            this.#stated.add(change.id);
            break;
          case 'delete':
            deleted.push(change.id);
            break;
          case 'putIncoming':
            incoming.put(true, change.packetId);
            break;
          case 'deleteIncoming':
            incoming.delete(change.packetId);
            break;
          case 'clearIncoming':
            incoming.clear();
            break;
        }
      }
    }
    // Deletes last: nothing is written to a message after its delete. Runs of consecutive ids
    // (acks mostly come in order) go as one range each, the largest cost of a busy outbox.
    deleted.sort((x, y) => x - y);
    for (let i = 0; i < deleted.length; ) {
      const low = deleted[i] as number;
      let high = low;
      for (i++; i < deleted.length && (deleted[i] as number) <= high + 1; i++) high = deleted[i] as number;
      outgoing.delete(low === high ? low : IDBKeyRange.bound(low, high));
    }
    for (const id of deleted) if (this.#stated.delete(id)) states.delete(id);
    if (nextId !== this.#nextId) tx.objectStore(META).put(nextId, 'nextId');
    this.#last = new Promise<void>((resolve) => {
      tx.oncomplete = () => {
        this.#nextId = nextId;
        for (const pending of batch) pending.resolve();
        this.#committing = false;
        this.#commitNext();
        resolve();
      };
      tx.onabort = () => {
        // QuotaExceededError and the like: every write of the transaction failed, nothing applied.
        this.#committing = false;
        if (batch.length > 1) {
          // Each again on its own, so that only the writes that need the space fail: not the
          // deletes and state changes of messages that happened to share the transaction.
          this.#alone.push(...batch);
        } else {
          const name = tx.error?.name ?? 'an error';
          const failure = new OutboxError(
            name === 'QuotaExceededError' ? 'the browser refused to store more: its storage quota is full' : `IndexedDB refused the write (${name})`,
            { cause: tx.error },
          );
          (batch[0] as Pending).reject(failure);
        }
        this.#commitNext();
        resolve();
      };
    });
  }
}

function withState(record: OutgoingRecord, stored: StoredState | undefined): OutgoingRecord {
  if (stored === undefined) return record;
  const { packetId: _old, ...rest } = record;
  return stored.packetId === undefined ? { ...rest, state: stored.state } : { ...rest, state: stored.state, packetId: stored.packetId };
}
