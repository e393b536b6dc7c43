export { indexedDbOutbox, type IndexedDbOutboxOptions } from './indexed-db-outbox';
export type { LockMode } from './outbox-lock';
