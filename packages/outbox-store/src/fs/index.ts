/**
 * The durable outbox for Node: what is owed kept in a journal file, so that QoS 1/2 messages
 * survive a crash or a restart. Pass `fileOutbox({ dir })` as the `outbox` option of `connect()`.
 * @module @courier/outbox-store/fs
 */
export { fileOutbox, type FileOutbox, type FileOutboxOptions, type FileOutboxStore } from './file-outbox';
export type { CompactionStep } from './journal-file';
export type { FsyncPolicy, JournalStats } from './journal-writer';
