import type { OutboxStore } from '@courier/core';
import type { IndexedDbOutboxOptions } from '@courier/outbox-store/idb';
import type { BrowserClientOptions } from '../create-client';
import { indexedDbOptionsOf } from '../default-outbox';

/** How the tabs of a session share it, when they do. */
export type ShareMode = 'worker' | 'leader';

/**
 * Whether a browser client shares its session with the other tabs, and how: with `clean: false`,
 * a client id, the IndexedDB outbox with `lock: 'share'` (the default) and a browser with Web
 * Locks, BroadcastChannel and IndexedDB. Through a SharedWorker when the app gives one (and the
 * browser has them), through a leader tab otherwise.
 */
export function shareModeOf(options: BrowserClientOptions): { mode: ShareMode; outbox: IndexedDbOutboxOptions } | undefined {
  const outbox = options.outbox === undefined ? {} : indexedDbOptionsOf(options.outbox as OutboxStore);
  if (
    options.clean !== false ||
    options.share === false ||
    options.clientId === undefined ||
    outbox === undefined ||
    (outbox.lock ?? 'share') !== 'share' ||
    typeof BroadcastChannel === 'undefined' ||
    typeof indexedDB === 'undefined' ||
    !globalThis.navigator?.locks
  ) {
    return undefined;
  }
  return { mode: options.sharedWorker && typeof SharedWorker !== 'undefined' && options.share !== 'leader' ? 'worker' : 'leader', outbox };
}
