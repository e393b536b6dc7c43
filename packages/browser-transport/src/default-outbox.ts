import { MemoryOutbox, type OutboxStore } from '@courier/core';

/**
 * The outbox of a browser client that asks for a persistent session (`clean: false`) and names
 * none: IndexedDB, so that what it owes survives a reload without the developer having to find
 * a plugin. Loaded when the outbox opens, so that a bundler splits it off for clean-session
 * apps. Where IndexedDB does not exist, memory (what it owes then survives reconnects only).
 */
export function defaultBrowserOutbox(): OutboxStore {
  return {
    async open(clientId) {
      if (typeof indexedDB === 'undefined') return new MemoryOutbox().open(clientId);
      const { indexedDbOutbox } = await import('@courier/outbox-store/idb');
      return indexedDbOutbox().open(clientId);
    },
  };
}
