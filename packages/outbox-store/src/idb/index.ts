/**
 * The durable outbox for browsers: what is owed kept in IndexedDB, one database per client id.
 * `@courier/browser` uses it by default when a session is kept (`clean: false`).
 * @module @courier/outbox-store/idb
 */
import { OutboxError, type OutboxStore, applyOutboxUpdate } from '@courier/core';
import { type IndexedDbOutboxOptions, indexedDbOutboxWith } from './indexed-db-outbox';

export type { IndexedDbOutboxOptions } from './indexed-db-outbox';
export type { LockMode } from './outbox-lock';

/**
 * Owed messages in IndexedDB, for browsers: they survive a reload, a closed tab, a crashed page.
 * One database per client id; the writes of one tick share one transaction; the Web Locks API
 * keeps one tab per client id. A full quota is an OutboxError on publish(), never a silent loss.
 */
export function indexedDbOutbox(options: IndexedDbOutboxOptions = {}): OutboxStore {
  return indexedDbOutboxWith({ OutboxError, applyOutboxUpdate }, options);
}
