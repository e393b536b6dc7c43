import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  InvalidArgumentError,
  MqttError,
  type Outbox,
  type OutboxChange,
  OutboxError,
  type OutboxSnapshot,
  type OutboxStore,
} from '@courier/core';
import { changesSize } from './change-codec';
import { outboxFiles } from './file-names';
import { type CompactionStep, fsyncFile, journalImage } from './journal-file';
import { type FsyncPolicy, type JournalStats, JournalWriter } from './journal-writer';
import { acquireLock, type HeldLock } from './lock-file';
import { recoverJournal } from './recover-journal';

/** How fileOutbox keeps its journals. */
export interface FileOutboxOptions {
  /** The directory of the outboxes (created when missing): a journal and a lock file per client id. */
  dir: string;
  /** When a write counts as durable: 'batch' (the default), 'always' or 'never'; see FsyncPolicy. */
  fsync?: FsyncPolicy;
  /** The size a journal must reach before it is compacted (when dead records outweigh live ones). Default 1 MiB. */
  compactMinBytes?: number;
  /** Called at each step of a compaction before the next one starts; for crash tests. */
  onCompactionStep?: (step: CompactionStep) => void;
}

/** One client's outbox on disk, open. */
export interface FileOutbox extends Outbox {
  /** The journal file. */
  readonly journalPath: string;
  /** What the journal has done since it was opened: writes, fsyncs, compactions. */
  stats(): JournalStats;
}

/** The OutboxStore of fileOutbox: its outboxes also tell their journal and their counters. */
export interface FileOutboxStore extends OutboxStore {
  open(clientId: string): Promise<FileOutbox>;
}

const POLICIES: readonly FsyncPolicy[] = ['always', 'batch', 'never'];

class JournalOutbox implements FileOutbox {
  readonly restored: OutboxSnapshot;
  private closing: Promise<void> | undefined;

  constructor(
    readonly journalPath: string,
    private readonly writer: JournalWriter,
    private readonly lock: HeldLock,
    restored: OutboxSnapshot,
  ) {
    this.restored = restored;
  }

  write(changes: readonly OutboxChange[]): void | Promise<void> {
    if (this.closing !== undefined) throw new OutboxError('the outbox is closed');
    this.writer.assertWritable();
    if (changes.length === 0) return undefined;
    // Sized now: a change it cannot store is refused before anything is written. Copied: the
    // journal encodes the changes and the state takes them when they are appended, and both
    // must have what was written even if the caller reuses its objects meanwhile.
    const bytes = changesSize(changes);
    return this.writer.write(
      changes.map((change) => (change.op === 'put' ? { op: 'put', record: { ...change.record } } : { ...change })),
      bytes,
    );
  }

  stats(): JournalStats {
    return this.writer.stats();
  }

  close(): Promise<void> {
    this.closing ??= this.writer.close().finally(() => this.lock.release());
    return this.closing;
  }
}

/**
 * A durable outbox for Node: one append-only journal per client id in `dir`, with
 * checksummed records, group commit, compaction and a lock file. What a write resolved for
 * survives the process being killed (and, with fsync 'batch' or 'always', the machine losing
 * power); a damaged journal is read up to and around the damage, which `restored.damage`
 * reports.
 *
 * ```ts
 * import { createClient } from '@courier/node';
 * import { fileOutbox } from '@courier/outbox-store/fs';
 *
 * const client = createClient('mqtt://broker.local', { clientId: 'meter-7', clean: false, outbox: fileOutbox({ dir: './outbox' }) });
 * ```
 */
export function fileOutbox(options: FileOutboxOptions): FileOutboxStore {
  if (typeof options?.dir !== 'string' || options.dir === '') throw new InvalidArgumentError('fileOutbox needs a directory: { dir }');
  const policy = options.fsync ?? 'batch';
  if (!POLICIES.includes(policy)) throw new InvalidArgumentError(`fsync must be 'always', 'batch' or 'never', not ${JSON.stringify(policy)}`);
  const compactMinBytes = options.compactMinBytes ?? 1 << 20;
  if (!(compactMinBytes >= 0)) throw new InvalidArgumentError('compactMinBytes must be a number of bytes');
  const dir = resolve(options.dir);

  return {
    async open(clientId: string): Promise<FileOutbox> {
      if (typeof clientId !== 'string') throw new InvalidArgumentError('the client id must be a string');
      const files = outboxFiles(dir, clientId);
      let lock: HeldLock | undefined;
      try {
        await mkdir(dir, { recursive: true });
        lock = acquireLock(files.lock, clientId);
        // A compaction that a crash interrupted: the journal it would have replaced is whole.
        await rm(files.temp, { force: true });
        const journal = await recoverJournal(files, { sync: fsyncFile });
        const { state, marker } = journal;
        const writer = new JournalWriter({
          files,
          fd: journal.fd,
          marker,
          bytes: journal.bytes,
          policy,
          compactMinBytes,
          live: { apply: (changes) => state.apply(changes), bytes: () => state.liveBytes, image: () => journalImage(state, marker) },
          onCompactionStep: options.onCompactionStep,
        });
        return new JournalOutbox(files.journal, writer, lock, state.snapshot(journal.damage));
      } catch (error) {
        lock?.release();
        if (error instanceof MqttError) throw error;
        throw new OutboxError(`the outbox of client ${JSON.stringify(clientId)} in ${dir} could not be opened: ${(error as Error)?.message ?? String(error)}`, {
          cause: error,
        });
      }
    },
  };
}
