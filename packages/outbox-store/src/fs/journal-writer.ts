import { closeSync, fdatasync, ftruncateSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { OutboxError } from '@courier/core';
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

/** What the journal is a log of: how big it would be compacted, and the compacted journal. */
export interface LiveState {
  bytes(): number;
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

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

interface Appended extends Waiter {
  /** The journal's size once this write was appended. */
  end: number;
}

function waiter(): { promise: Promise<void>; waiter: Waiter } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, waiter: { resolve, reject } };
}

/**
 * Appends records to the journal and tells each write when it is durable under the fsync
 * policy; compacts the journal when dead records outweigh live ones.
 *
 * Theory of operation. Writes reach the file in the order they are issued, each record in one
 * piece. When no fsync is in flight, a write's bytes go to the OS at once (a write syscall),
 * so a process killed a moment later still leaves them in the file. Then:
 * - 'batch': at the end of the current run of code (a microtask), one fdatasync starts for
 *   every write appended so far. Writes issued while it runs are held in memory and appended
 *   together (one write syscall) the moment it completes, and the next fdatasync covers them
 *   all. A write resolves when an fsync that started after it was appended completes.
 *   Why hold them: on ext4, appending to a file while fdatasync runs on it made each fsync
 *   about six times slower (2 ms instead of 0.35 ms here) and stalled some appends, and so the
 *   event loop, for up to 14 ms (pages under writeback cannot be written). A held write has
 *   not resolved, so the client has not acted on it: a crash loses nothing it was promised.
 * - 'always': the same, one write per fsync.
 * - 'never': appended and resolved on return.
 * - Compaction starts when no fsync is in flight. It snapshots the state (which includes every
 *   write appended so far) into a new journal and swaps it in (see replaceJournal); the writes
 *   appended but not yet fsynced are durable once it is done, as part of the new journal.
 *   Writes issued during compaction are held in memory and appended to the new journal after.
 * - A failed write, fsync or swap fails the journal for good (after an fsync error the OS may
 *   have dropped the unwritten pages: retrying could claim durability it does not have). The
 *   journal is cut back to what was reported durable (or is in an fsync still in flight, which
 *   may yet succeed), so the rejected writes are gone: a failed write applied none of its batch.
 */
export class JournalWriter {
  private fd: number;
  private bytes: number;
  /** Covered by a completed fsync (or a compaction). */
  private syncedBytes: number;
  /** What has been reported durable; a failure cuts the journal back to this. */
  private committedBytes: number;
  /** The end of the writes whose fsync is in flight: a failure keeps them, as it may yet succeed. */
  private inFlightEnd: number | undefined;
  private unsynced: Appended[] = [];
  private held: { record: Buffer; waiter: Waiter }[] = [];
  private syncing = false;
  private syncQueued = false;
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

  /** Appends one record; resolves (or returns, with 'never') when it is durable per the policy. */
  write(record: Buffer): Promise<void> | undefined {
    this.assertWritable();
    this.counters.writes++;
    if (this.compacting || this.syncing) {
      const { promise, waiter: held } = waiter();
      this.held.push({ record, waiter: held });
      return promise;
    }
    this.append(record);
    if (this.options.policy === 'never') {
      this.committedBytes = this.bytes;
      if (this.dueForCompaction()) void this.compact();
      return undefined;
    }
    const { promise, waiter: appended } = waiter();
    this.unsynced.push({ ...appended, end: this.bytes });
    this.scheduleSync();
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

  private append(record: Buffer): void {
    try {
      for (let offset = 0; offset < record.length; ) offset += writeSync(this.fd, record, offset);
    } catch (error) {
      this.fail(error);
      throw this.failure;
    }
    this.bytes += record.length;
  }

  private async sync(fd: number, how: (fd: number) => Promise<void> = fsyncFile): Promise<void> {
    this.counters.fsyncsStarted++;
    await how(fd);
    this.counters.fsyncs++;
  }

  private scheduleSync(): void {
    if (this.syncQueued || this.syncing || this.compacting) return;
    this.syncQueued = true;
    // At the end of the current run of code: the writes issued in it share one fsync.
    queueMicrotask(() => {
      this.syncQueued = false;
      this.commit();
    });
  }

  private commit(): void {
    if (this.syncing || this.compacting) return;
    if (this.failure !== undefined || this.unsynced.length === 0) {
      this.settleIdle();
      return;
    }
    const batch = this.options.policy === 'always' ? this.unsynced.splice(0, 1) : this.unsynced.splice(0);
    const covered = this.bytes;
    this.syncing = true;
    this.inFlightEnd = batch[batch.length - 1]!.end;
    this.sync(this.fd, fdatasyncFile).then(
      () => {
        this.syncing = false;
        this.syncedBytes = Math.max(this.syncedBytes, covered);
        this.committedBytes = this.inFlightEnd!;
        this.inFlightEnd = undefined;
        // Durable, even if a later write has failed the journal meanwhile.
        for (const appended of batch) appended.resolve();
        if (this.dueForCompaction()) {
          void this.compact();
          return;
        }
        this.appendHeld();
        this.commit();
      },
      (error: unknown) => {
        this.syncing = false;
        this.inFlightEnd = undefined;
        this.fail(error, batch);
      },
    );
  }

  private dueForCompaction(): boolean {
    if (this.failure !== undefined || this.compacting || this.syncing || this.bytes < this.compactAt) return false;
    return this.bytes - this.options.live.bytes() > this.options.live.bytes();
  }

  private async compact(): Promise<void> {
    this.compacting = true;
    const covered = this.unsynced.splice(0);
    // Synchronously, before another write can change the state: it includes every write appended.
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
      for (const appended of covered) appended.resolve();
    } catch (error) {
      if (error instanceof JournalReplaceError && !error.renamed) {
        // The old journal is whole and still in place: carry on with it, and only try again
        // once it has doubled (a full disk would otherwise be retried at every fsync).
        this.compactAt = this.bytes * 2;
        this.unsynced.unshift(...covered);
      } else {
        this.fail(error, covered);
      }
    }
    this.compacting = false;
    this.appendHeld();
    this.scheduleSync();
    this.settleIdle();
  }

  /** Appends the held writes, in order, in one write syscall. */
  private appendHeld(): void {
    const held = this.held;
    if (held.length === 0 || this.failure !== undefined) return;
    this.held = [];
    const start = this.bytes;
    try {
      this.append(held.length === 1 ? held[0]!.record : Buffer.concat(held.map((entry) => entry.record)));
    } catch (error) {
      for (const entry of held) entry.waiter.reject(error as Error);
      return;
    }
    let end = start;
    for (const { record, waiter: heldWaiter } of held) {
      end += record.length;
      if (this.options.policy === 'never') heldWaiter.resolve();
      else this.unsynced.push({ ...heldWaiter, end });
    }
    if (this.options.policy === 'never') this.committedBytes = this.bytes;
  }

  private fail(error: unknown, alsoWaiting: readonly Waiter[] = []): void {
    if (this.failure === undefined) {
      const reason = (error as Error)?.message ?? String(error);
      this.failure = new OutboxError(`the outbox journal ${this.options.files.journal} failed (${reason}); it takes no more writes`, { cause: error });
    }
    // The writes rejected here must not come back at the next open: cut them off. Best effort:
    // if even this fails, they may.
    try {
      ftruncateSync(this.fd, this.inFlightEnd ?? this.committedBytes);
    } catch {
      // Nothing more to do; the failure is reported already.
    }
    const failure = this.failure;
    for (const waiting of [...alsoWaiting, ...this.unsynced, ...this.held.map((held) => held.waiter)]) waiting.reject(failure);
    this.unsynced = [];
    this.held = [];
    this.settleIdle();
  }

  private isIdle(): boolean {
    return !this.syncing && !this.syncQueued && !this.compacting && this.unsynced.length === 0 && this.held.length === 0;
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
