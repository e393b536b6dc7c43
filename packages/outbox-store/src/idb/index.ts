/**
 * The durable outbox for browsers: what is owed kept in IndexedDB, one database per client id.
 * `@courier/browser` uses it by default when a session is kept (`clean: false`).
 * @module @courier/outbox-store/idb
 */
export { indexedDbOutbox, type IndexedDbOutboxOptions } from './indexed-db-outbox';
export type { LockMode } from './outbox-lock';
