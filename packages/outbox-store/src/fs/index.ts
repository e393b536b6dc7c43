// @courier/outbox-store/fs: the durable outbox for Node, a journal on disk.
export { fileOutbox, type FileOutbox, type FileOutboxOptions, type FileOutboxStore } from './file-outbox';
export type { CompactionStep } from './journal-file';
export type { FsyncPolicy, JournalStats } from './journal-writer';
