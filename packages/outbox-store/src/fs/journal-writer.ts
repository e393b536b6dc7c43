import { closeSync, fdatasync, ftruncateSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { OutboxError } from '@courier/core';
import type { JournalChange } from './change-codec';
import type { OutboxFiles } from './file-names';
import { type CompactionStep, fsyncFile, JournalReplaceError, replaceJournal } from './journal-file';

const fdatasyncFile = promisify(fdatasync);

/**
 * When a write counts as done. 'batch' (the default): once an fsync covering it has completed;
 * writes that arrive while an fsync is in flight share the next one (group commit). 'always':
 * each write gets an fsync of its own, one after the other. 'never': once the bytes are handed
 * to the OS, which keeps them if the process dies, not if the machine does.
 */
export type FsyncPolicy = 'always' | 'batch' | 'never';

/** Counters that show what the journal did; tests read them to prove group commit. */
export interface JournalStats {
  /** write() calls taken. */
  writes: number;
  /** fsync calls started: commits, compaction (the new file and the directory) and close. */
  fsyncsStarted: number;
  /** fsync calls completed. */
  fsyncs: number;
  /** Completed compactions. */
  compactions: number;
  /** The journal's size now. */
  journalBytes: number;
}

/** What the journal is a log of: the state its records build, which compaction writes out. */
export interface LiveState {
  /** Applies the changes of a record once it is in the file. */
  apply(changes: readonly JournalChange[]): void;
  /** About how big a compacted journal would be. */
  bytes(): number;
  /** A compacted journal: what to write in place of the records so far. */
  image(): Buffer[];
}

/** How a JournalWriter starts. */
export interface JournalWriterOptions {
  files: OutboxFiles;
  /** The journal, open for appending, and its size. */
  fd: number;
  bytes: number;
  policy: FsyncPolicy;
  /** Compact only once the journal is at least this big. */
  compactMinBytes: number;
  live: LiveState;
  onCompactionStep?: ((step: CompactionStep) => void) | undefined;
}

/** A write not in the file yet. */
interface Held {
  record: Buffer;
  changes: readonly JournalChange[];
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Appends records to the journal and tells each write when it is durable under the fsync
 * policy; compacts the journal when dead records outweigh live ones.
 *
 * Theory of operation. Records reach the file in the order their writes were issued, each in
 * one piece.
 * - 'batch': a write is held in memory until the end of the current run of code (a
 *   microtask); then a job appends every held record (one write syscall) and fdatasyncs (in
 *   the thread pool). Writes issued while the fsync runs are held for the next job, which
 *   starts the moment it completes: every write waits for at most one fsync besides its own,
 *   and all the writes of a moment share one. A write resolves when the fsync after its append
 *   completes.
 *   Why not append at once, as each write is issued: on ext4, appending to a file while
 *   fdatasync runs on it made each fsync about six times slower here (2 ms instead of 0.35)
 *   and stalled some appends, and so the event loop, for up to 14 ms (pages under writeback
 *   cannot be written). And a held write has not resolved: the client has not acted on it, so
 *   a crash loses nothing it was promised.
 * - 'always': the same, one write per job (append, fsync), one job after the other.
 * - 'never': held until the end of the current run of code too, then appended (one write
 *   syscall for all of them: a syscall per write cost more than the rest of the outbox
 *   together) and resolved: the bytes are the OS's, no fsync.
 * - The state (which compaction writes out) takes a write's changes once its record is in the
 *   file, so it always matches the file. Compaction starts between jobs; writes issued during
 *   it are held and appended to the new journal after it.
 * - A failed append, fsync or swap fails the journal for good (after an fsync error the OS may
 *   have dropped the unwritten pages: retrying could claim durability it does not have). The
 *   journal is cut back to what was reported durable, so the rejected writes are gone: a failed
 *   write applied none of its batch.
 */
export class JournalWriter {
  private fd: number;
  private bytes: number;
  /** Covered by a completed fsync (or a compaction). */
  private syncedBytes: number;
  /** What has been reported durable; a failure cuts the journal back to this. */
  private committedBytes: number;
  private held: Held[] = [];
  private committing = false;
  private commitQueued = false;
  private compacting = false;
  private compactAt: number;
  private failure: OutboxError | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly counters = { writes: 0, fsyncsStarted: 0, fsyncs: 0, compactions: 0 };

  constructor(private readonly options: JournalWriterOptions) {
    this.fd = options.fd;
    this.bytes = options.bytes;
    this.syncedBytes = options.bytes;
    this.committedBytes = options.bytes;
    this.compactAt = options.compactMinBytes;
  }

  stats(): JournalStats {
    return { ...this.counters, journalBytes: this.bytes };
  }

  /** Throws the failure that stopped the journal, if one did. */
  assertWritable(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Appends one record, which holds `changes`; resolves when it is durable per the policy.
   * Throws when the journal has failed.
   */
  write(record: Buffer, changes: readonly JournalChange[]): Promise<void> {
    this.assertWritable();
    this.counters.writes++;
    const promise = new Promise<void>((resolve, reject) => this.held.push({ record, changes, resolve, reject }));
    this.scheduleCommit();
    return promise;
  }

  /** Waits for what is in flight, makes everything durable and closes the file. */
  async close(): Promise<void> {
    if (!this.isIdle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    try {
      // A clean close is durable whatever the policy: with 'never' this is the one fsync.
      if (this.failure === undefined && this.syncedBytes < this.bytes) await this.sync(this.fd, fdatasyncFile);
    } finally {
      closeSync(this.fd);
    }
  }

  /**
   * Appends a batch, whole (a short write is continued), in one write syscall on the calling
   * thread: no fsync runs on the file meanwhile, and it costs less than a trip to the thread
   * pool and back (which took 0.2 to 0.5 ms per job here, the append itself 10 to 20 µs).
   */
  private append(batch: readonly Held[]): void {
    const bytes = batch.length === 1 ? batch[0]!.record : Buffer.concat(batch.map((held) => held.record));
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.fd, bytes, offset);
    this.bytes += bytes.length;
    for (const held of batch) this.options.live.apply(held.changes);
  }

  private async sync(fd: number, how: (fd: number) => Promise<void> = fsyncFile): Promise<void> {
    this.counters.fsyncsStarted++;
    await how(fd);
    this.counters.fsyncs++;
  }

  private scheduleCommit(): void {
    if (this.commitQueued || this.committing || this.compacting) return;
    this.commitQueued = true;
    // At the end of the current run of code: the writes issued in it share one fsync.
    queueMicrotask(() => {
      this.commitQueued = false;
      void this.commit();
    });
  }

  /** Appends and fsyncs what is held, job after job, until nothing is. */
  private async commit(): Promise<void> {
    this.committing = true;
    while (this.failure === undefined && !this.compacting && this.held.length > 0) {
      const batch = this.options.policy === 'always' ? this.held.splice(0, 1) : this.held.splice(0);
      try {
        this.append(batch);
        if (this.options.policy !== 'never') {
          await this.sync(this.fd, fdatasyncFile);
          this.syncedBytes = this.bytes;
        }
      } catch (error) {
        this.fail(error, batch);
        break;
      }
      this.committedBytes = this.bytes;
      for (const held of batch) held.resolve();
      if (this.dueForCompaction()) {
        this.committing = false;
        void this.compact();
        return;
      }
    }
    this.committing = false;
    this.settleIdle();
  }

  private dueForCompaction(): boolean {
    if (this.failure !== undefined || this.compacting || this.bytes < this.compactAt) return false;
    return this.bytes - this.options.live.bytes() > this.options.live.bytes();
  }

  private async compact(): Promise<void> {
    this.compacting = true;
    // Synchronously, before another record reaches the file: the state matches the file.
    const image = this.options.live.image();
    try {
      // Whatever the policy: without this fsync a power cut could leave an empty file renamed
      // over a journal that held everything.
      const fd = await replaceJournal(this.options.files, image, { sync: (fd) => this.sync(fd), onStep: this.options.onCompactionStep });
      closeSync(this.fd);
      this.fd = fd;
      this.bytes = this.syncedBytes = this.committedBytes = image.reduce((sum, part) => sum + part.length, 0);
      this.compactAt = this.options.compactMinBytes;
      this.counters.compactions++;
    } catch (error) {
      if (error instanceof JournalReplaceError && !error.renamed) {
        // The old journal is whole and still in place: carry on with it, and only try again
        // once it has doubled (a full disk would otherwise be retried after every job).
        this.compactAt = this.bytes * 2;
      } else {
        this.fail(error);
      }
    }
    this.compacting = false;
    this.scheduleCommit();
    this.settleIdle();
  }

  private fail(error: unknown, alsoWaiting: readonly Held[] = []): void {
    if (this.failure === undefined) {
      const reason = (error as Error)?.message ?? String(error);
      this.failure = new OutboxError(`the outbox journal ${this.options.files.journal} failed (${reason}); it takes no more writes`, { cause: error });
    }
    // The writes rejected here must not come back at the next open: cut them off. Best effort:
    // if even this fails, they may.
    try {
      ftruncateSync(this.fd, this.committedBytes);
    } catch {
      // Nothing more to do; the failure is reported already.
    }
    const failure = this.failure;
    for (const waiting of [...alsoWaiting, ...this.held.splice(0)]) waiting.reject(failure);
    this.settleIdle();
  }

  private isIdle(): boolean {
    return !this.committing && !this.commitQueued && !this.compacting && this.held.length === 0;
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
