import { MemoryOutbox, type OutboxStore } from '@courier/core';
import type { IndexedDbOutboxOptions } from '@courier/outbox-store/idb';

/**
 * Owed messages in IndexedDB (see `@courier/outbox-store/idb`): they survive a reload, a closed
 * tab, a crashed page. The IndexedDB code is loaded when the outbox opens, so that a bundler
 * splits it off and apps that keep no session never load it.
 */
export function indexedDbOutbox(options: IndexedDbOutboxOptions = {}): OutboxStore {
  return {
    async open(clientId) {
      const idb = await import('@courier/outbox-store/idb');
      return idb.indexedDbOutbox(options).open(clientId);
    },
  };
}

/**
 * The outbox of a browser client that asks for a persistent session (`clean: false`) and names
 * none: IndexedDB, so that what it owes survives a reload without the developer having to find
 * a plugin. Where IndexedDB does not exist, memory (what it owes then survives reconnects only).
 */
export function defaultBrowserOutbox(): OutboxStore {
  return {
    open: (clientId) => (typeof indexedDB === 'undefined' ? new MemoryOutbox() : indexedDbOutbox()).open(clientId),
  };
}
