import { MemoryOutbox, OutboxError, type OutboxStore, applyOutboxUpdate } from '@courier/core';
import type { IndexedDbOutboxOptions } from '@courier/outbox-store/idb';

/**
 * Owed messages in IndexedDB (see `@courier/outbox-store/idb`): they survive a reload, a closed
 * tab, a crashed page. The IndexedDB code is loaded when the outbox opens, so that a bundler
 * splits it off and apps that keep no session never load it; it is given the core's parts it
 * uses, so that it imports none and the core stays in the app's start chunk, not one of its own.
 */
export function indexedDbOutbox(options: IndexedDbOutboxOptions = {}): OutboxStore {
  return {
    async open(clientId, hooks) {
      const idb = await import('@courier/outbox-store/idb-lazy');
      return idb.indexedDbOutboxWith({ OutboxError, applyOutboxUpdate }, options).open(clientId, hooks);
    },
    [SHARE_OPTIONS]: options,
  } as OutboxStore;
}

/** Where `indexedDbOutbox()` keeps its options, so that `createClient` can tell whether to share. */
export const SHARE_OPTIONS = Symbol('courier.indexedDbOutbox');

/** The options of an outbox made by `indexedDbOutbox()`, or undefined for any other outbox. */
export function indexedDbOptionsOf(outbox: OutboxStore): IndexedDbOutboxOptions | undefined {
  return (outbox as { [SHARE_OPTIONS]?: IndexedDbOutboxOptions })[SHARE_OPTIONS];
}

/** Said, never silent, when `clean: false` meets a browser (or a worker, a test) without IndexedDB. */
export const NO_INDEXED_DB_WARNING =
  'clean: false, but there is no IndexedDB here: what the client owes is kept in memory only, lost on a reload (give an `outbox` to keep it elsewhere)';

/**
 * The outbox of a browser client that asks for a persistent session (`clean: false`) and names
 * none: IndexedDB, so that what it owes survives a reload without the developer having to find
 * a plugin. Where IndexedDB does not exist, memory (what it owes then survives reconnects only),
 * with `NO_INDEXED_DB_WARNING` in its snapshot's `warnings`.
 */
export function defaultBrowserOutbox(): OutboxStore {
  return {
    async open(clientId, hooks) {
      if (typeof indexedDB !== 'undefined') return indexedDbOutbox().open(clientId, hooks);
      const memory = await new MemoryOutbox().open(clientId);
      const warnings = [...(memory.restored.warnings ?? []), NO_INDEXED_DB_WARNING];
      return { restored: { ...memory.restored, warnings }, write: (changes) => memory.write(changes), close: () => memory.close() };
    },
  };
}
