import type { OutboxStore } from '@courier/core';
import type { IndexedDbOutboxOptions } from '@courier/outbox-store/idb';
import type { BrowserClientOptions } from '../create-client';
import { indexedDbOptionsOf } from '../default-outbox';

/**
 * Whether a browser client asks to share its session with the other tabs: `clean: false`, a
 * client id, and the IndexedDB outbox with `lock: 'share'` (the default), unless `share: false`.
 * Returns the outbox's options. Whether the browser can (Web Locks, BroadcastChannel, IndexedDB)
 * is checked by the sharing code, loaded on first use.
 */
export function sharingOutbox(options: BrowserClientOptions): IndexedDbOutboxOptions | undefined {
  const outbox = options.outbox === undefined ? {} : indexedDbOptionsOf(options.outbox as OutboxStore);
  if (options.clean !== false || options.share === false || options.clientId === undefined || (outbox?.lock ?? 'share') !== 'share') return undefined;
  return outbox;
}
