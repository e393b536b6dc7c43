import { type IDBPDatabase, openDB, unwrap } from 'idb';
import type { Outbox, OutboxChange, OutboxOpenHooks, OutboxSnapshot, OutboxStore } from '@courier/core';
import type { CoreParts } from './core-parts';
import { copyChanges, type LogEntry, LogState } from './log-state';
import { acquireOutboxLock, type HeldLock, type LockMode } from './outbox-lock';
import { hasV1Stores, migrateV1 } from './v1-migration';

/** Options of `indexedDbOutbox`: which database, and what to do when another tab holds it. */
export interface IndexedDbOutboxOptions {
  /** The prefix of the database names: one database per client id (default "courier-outbox"). */
  name?: string;
  /**
   * When another tab holds this client's outbox: share it ('share', the default: with
   * `@courier/browser`, the tabs share one connection; opened directly, it waits), wait for it
   * (with a `waiting` call, a `warning` event on the client) or fail at once.
   */
  lock?: LockMode;
  /**
   * IndexedDB's durability hint. 'relaxed' (the default) survives reloads, closed tabs and
   * crashed pages; 'strict' also waits for the disk, against a crash of the whole machine.
   */
  durability?: 'relaxed' | 'strict';
}

// Version 2 keeps a log: one entry per committed transaction, holding the changes of its writes
// in order, under increasing keys; a compaction writes the live state as one entry and deletes
// the entries before it, in one transaction. Chromium spends about a third of a millisecond per
// request and little per byte: a put per message capped the outbox at about 4,000 messages/s,
// one put per transaction does not.
const VERSION = 2;
const LOG = 'log';

// Compact once the entries since the last compaction take this much, and dead changes
// outweigh live ones (the rule of the file journal).
const COMPACT_MIN_BYTES = 1 << 20;

/** `indexedDbOutbox(options)` (see index.ts) with the core's parts handed in. */
export function indexedDbOutboxWith(core: CoreParts, options: IndexedDbOutboxOptions = {}): OutboxStore {
  const prefix = options.name ?? 'courier-outbox';
  const { OutboxError } = core;
  return {
    async open(clientId: string, hooks?: OutboxOpenHooks): Promise<Outbox> {
      const name = `${prefix}:${clientId}`;
      const lock = await acquireOutboxLock(name, options.lock ?? 'share', core, hooks?.waiting);
      try {
        const db = await openDB(name, VERSION, {
          upgrade(database, oldVersion, _newVersion, transaction) {
            const log = unwrap(database.createObjectStore(LOG));
            if (oldVersion === 1 && hasV1Stores(unwrap(database))) migrateV1(unwrap(transaction), log, 0);
          },
        });
        const tx = db.transaction(LOG, 'readonly');
        const [keys, entries] = await Promise.all([tx.store.getAllKeys() as Promise<number[]>, tx.store.getAll() as Promise<LogEntry[]>]);
        const state = new LogState(core);
        for (const entry of entries) state.apply(entry);
        return new IndexedDbOutbox(db, lock, state, (keys.at(-1) ?? -1) + 1, options.durability ?? 'relaxed', OutboxError);
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
  /** What the committed entries amount to. */
  readonly #state: LogState;
  /** The key of the next entry. */
  #nextKey: number;
  #compactAt = COMPACT_MIN_BYTES;
  #batch: Pending[] = [];
  #closed = false;
  #last: Promise<void> = Promise.resolve();
  #committing = false;
  #commitQueued = false;
  /** Writes of a failed transaction, tried again one per transaction. */
  readonly #alone: Pending[] = [];
  readonly #OutboxError: CoreParts['OutboxError'];

  constructor(db: IDBPDatabase, lock: HeldLock, state: LogState, nextKey: number, durability: 'relaxed' | 'strict', error: CoreParts['OutboxError']) {
    this.#OutboxError = error;
    this.#raw = unwrap(db);
    this.#lock = lock;
    this.#state = state;
    this.restored = state.snapshot();
    this.#nextKey = nextKey;
    this.#durability = durability;
  }

  write(changes: readonly OutboxChange[]): Promise<void> {
    if (this.#closed) return Promise.reject(new this.#OutboxError('the outbox is closed'));
    const copied = copyChanges(changes);
    return new Promise((resolve, reject) => {
      this.#batch.push({ changes: copied, resolve, reject });
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
    } else if (this.#dueForCompaction()) {
      this.#compact();
    } else if (this.#batch.length > 0) {
      const batch = this.#batch;
      this.#batch = [];
      this.#commit(batch);
    }
  };

  /** A read-write transaction on the log; when the browser refuses one, every write waiting fails. */
  #transaction(taken: readonly Pending[] = []): IDBTransaction | undefined {
    try {
      return this.#raw.transaction(LOG, 'readwrite', { durability: this.#durability });
    } catch (error) {
      // The browser closed the database (the user cleared site data, say): nothing is stored.
      const failure = new this.#OutboxError(`IndexedDB refused the write: ${(error as Error)?.message}`, { cause: error });
      for (const pending of [...taken, ...this.#alone.splice(0), ...this.#batch.splice(0)]) pending.reject(failure);
      return undefined;
    }
  }

  /** Runs `tx`, which writes the entry at the next key; `done` learns whether it committed. */
  #run(tx: IDBTransaction, done: (committed: boolean) => void): void {
    this.#committing = true;
    this.#last = new Promise<void>((resolve) => {
      tx.oncomplete = () => {
        this.#nextKey++;
        this.#committing = false;
        done(true);
        this.#commitNext();
        resolve();
      };
      tx.onabort = () => {
        this.#committing = false;
        done(false);
        this.#commitNext();
        resolve();
      };
    });
  }

  #commit(batch: Pending[]): void {
    const tx = this.#transaction(batch);
    if (tx === undefined) return;
    // The raw API on this path: idb wraps every request in a promise.
    const entry: LogEntry = { changes: batch.length === 1 ? batch[0]!.changes : batch.flatMap((pending) => pending.changes) };
    tx.objectStore(LOG).put(entry, this.#nextKey);
    this.#run(tx, (committed) => {
      if (committed) {
        this.#state.apply(entry);
        for (const pending of batch) pending.resolve();
      } else if (batch.length > 1) {
        // QuotaExceededError and the like: every write of the transaction failed, nothing
        // applied. Each again on its own, so that only the writes that need the space fail:
        // not the deletes and state changes of messages that happened to share the transaction.
        this.#alone.push(...batch);
      } else {
        const name = tx.error?.name ?? 'an error';
        const failure = new this.#OutboxError(
          name === 'QuotaExceededError' ? 'the browser refused to store more: its storage quota is full' : `IndexedDB refused the write (${name})`,
          { cause: tx.error },
        );
        batch[0]!.reject(failure);
      }
    });
  }

  #dueForCompaction(): boolean {
    const state = this.#state;
    return state.loggedBytes >= this.#compactAt && state.loggedBytes - state.liveBytes > state.liveBytes;
  }

  /** Replaces every entry with one holding the state, between two commits (writes wait). */
  #compact(): void {
    const tx = this.#transaction();
    if (tx === undefined) return;
    const entry = this.#state.image();
    const store = tx.objectStore(LOG);
    store.put(entry, this.#nextKey);
    store.delete(IDBKeyRange.upperBound(this.#nextKey, true));
    this.#run(tx, (committed) => {
      if (committed) {
        this.#state.apply(entry);
        this.#compactAt = COMPACT_MIN_BYTES;
      } else {
        // A full quota, say: carry on with the log as it is, and try again once it has doubled.
        this.#compactAt = this.#state.loggedBytes * 2;
      }
    });
  }
}
