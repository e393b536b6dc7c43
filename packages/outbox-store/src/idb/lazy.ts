/**
 * The IndexedDB outbox for a bundle that loads it with import(), as `@courier/browser` does when
 * a kept session's outbox opens: the core's parts are handed in, so that nothing here imports
 * `@courier/core` at run time and the app's start stays one chunk (see core-parts.ts). An
 * application uses `indexedDbOutbox` from `@courier/outbox-store/idb` instead.
 * @module @courier/outbox-store/idb-lazy
 */
export type { CoreParts } from './core-parts';
export { type IndexedDbOutboxOptions, indexedDbOutboxWith } from './indexed-db-outbox';
