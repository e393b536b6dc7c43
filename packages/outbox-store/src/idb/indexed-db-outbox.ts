import { type IDBPDatabase, openDB } from 'idb';
import { type Outbox, type OutboxChange, OutboxError, type OutboxSnapshot, type OutboxStore, type OutgoingRecord } from '@courier/core';
import { acquireOutboxLock, type HeldLock, type LockMode } from './outbox-lock';

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
// Every change is a blind write (no read first), so the order of the writes is the order of
// the changes: a read-modify-write would let a later delete in the same transaction run first.
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
        return new IndexedDbOutbox(db, lock, restored, options.durability ?? 'relaxed');
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
  readonly #db: IDBPDatabase;
  readonly #lock: HeldLock;
  readonly #durability: 'relaxed' | 'strict';
  #batch: Pending[] = [];
  #nextId: number;
  #closed = false;
  #last: Promise<void> = Promise.resolve();

  constructor(db: IDBPDatabase, lock: HeldLock, restored: OutboxSnapshot, durability: 'relaxed' | 'strict') {
    this.#db = db;
    this.#lock = lock;
    this.restored = restored;
    this.#nextId = restored.nextId;
    this.#durability = durability;
  }

  write(changes: readonly OutboxChange[]): Promise<void> {
    if (this.#closed) return Promise.reject(new OutboxError('the outbox is closed'));
    return new Promise((resolve, reject) => {
      // The writes of one tick go in one transaction: fewer, larger commits.
      if (this.#batch.length === 0) queueMicrotask(() => this.#commit());
      this.#batch.push({ changes, resolve, reject });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#last.catch(() => undefined);
    this.#db.close();
    this.#lock.release();
  }

  #commit(): void {
    const batch = this.#batch;
    this.#batch = [];
    const tx = this.#db.transaction(STORES, 'readwrite', { durability: this.#durability });
    const outgoing = tx.objectStore(OUTGOING);
    const states = tx.objectStore(STATES);
    const incoming = tx.objectStore(INCOMING);
    let nextId = this.#nextId;
    for (const { changes } of batch) {
      for (const change of changes) {
        switch (change.op) {
          case 'put':
            void outgoing.put(change.record);
            void states.delete(change.record.id);
            nextId = Math.max(nextId, change.record.id + 1);
            break;
          case 'update':
            void states.put(change.packetId === undefined ? { state: change.state } : { state: change.state, packetId: change.packetId }, change.id);
            break;
          case 'delete':
            void outgoing.delete(change.id);
            void states.delete(change.id);
            break;
          case 'putIncoming':
            void incoming.put(true, change.packetId);
            break;
          case 'deleteIncoming':
            void incoming.delete(change.packetId);
            break;
          case 'clearIncoming':
            void incoming.clear();
            break;
        }
      }
    }
    if (nextId !== this.#nextId) void tx.objectStore(META).put(nextId, 'nextId');
    const done = tx.done.then(
      () => {
        this.#nextId = nextId;
        for (const pending of batch) pending.resolve();
      },
      (error: unknown) => {
        // QuotaExceededError and the like: every write of the transaction failed, nothing applied.
        const name = (error as { name?: string } | null)?.name ?? 'an error';
        const failure = new OutboxError(
          name === 'QuotaExceededError' ? 'the browser refused to store more: its storage quota is full' : `IndexedDB refused the write (${name})`,
          { cause: error },
        );
        for (const pending of batch) pending.reject(failure);
      },
    );
    this.#last = done;
  }
}

function withState(record: OutgoingRecord, stored: StoredState | undefined): OutgoingRecord {
  if (stored === undefined) return record;
  const { packetId: _old, ...rest } = record;
  return stored.packetId === undefined ? { ...rest, state: stored.state } : { ...rest, state: stored.state, packetId: stored.packetId };
}
