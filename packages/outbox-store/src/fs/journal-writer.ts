import { closeSync, fdatasync, ftruncateSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { OutboxError } from '@courier/core';
import { encodeRecords, type JournalChange } from './change-codec';
import type { OutboxFiles } from './file-names';
import { type CompactionStep, fsyncFile, JournalReplaceError, replaceJournal } from './journal-file';

const fdatasyncFile = promisify(fdatasync);

// With fsync 'batch' or 'always', the journal is extended with zeros this far ahead of its
// records, so that an append overwrites bytes the file already has: its fdatasync then flushes
// data only, not the file's new size through the file system's own journal, which cost about
// half of each fsync on ext4 here. Recovery takes a tail of zeros for free space, not damage.
const PREALLOCATE_BYTES = 1 << 20;
let zeros: Buffer | undefined;

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
  /**
   * fsync calls completed. One that a later fsync has overtaken counts once that one completes:
   * fdatasync covers every byte written before it was called, so the earlier one's too.
   */
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
  /** The journal's record marker (see frame.ts). */
  marker: Uint8Array;
  /** The journal, open for appending, and its size. */
  fd: number;
  bytes: number;
  policy: FsyncPolicy;
  /** Compact only once the journal is at least this big. */
  compactMinBytes: number;
  live: LiveState;
  onCompactionStep?: ((step: CompactionStep) => void) | undefined;
}

/** An append whose fsync was started, and the writes it holds. */
interface Job {
  batch: Batch;
  /** The journal's size after it. */
  end: number;
  /** Its fsync's number among those started (`fsyncsStarted` before it). */
  index: number;
}

/**
 * Writes not in the file yet, which settle together: all those held at once ('batch',
 * 'never'), or one ('always'). One promise for all of them: they are appended, made durable
 * and failed as one, and a promise per write cost more than its changes. They are encoded
 * together, as one record, when appended.
 */
interface Batch {
  /** The changes of each write, in order. */
  changes: (readonly JournalChange[])[];
  /** Their encoded size, as changesSize gave it. */
  bytes: number;
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { changes: [], bytes: 0, promise, resolve, reject };
}

/**
 * Appends records to the journal and tells each write when it is durable under the fsync
 * policy; compacts the journal when dead records outweigh live ones.
 *
 * Theory of operation. Records reach the file in the order their writes were issued, each in
 * one piece.
 * - 'batch': a write is held in memory until the end of the current run of code (a
 *   microtask); then a job appends every held write as one record (one write syscall) and
 *   fdatasyncs (in the thread pool). Up to two jobs run at once: writes issued while one
 *   fsync runs get the second straight away; those issued while two run are held for the
 *   next job, which starts the moment one completes. A write resolves once an fdatasync
 *   called after its append has returned (its job's, or a later one's: fdatasync covers
 *   every byte written before the call), so writes resolve in the order issued. A held
 *   write has not resolved: the client has not acted on it, so a crash loses nothing it was
 *   promised.
 *   The file is written ahead with zeros (PREALLOCATE_BYTES), so that appends overwrite bytes
 *   it already has: the fdatasync after them flushes data only, not a new file size through
 *   ext4's own journal. (Commit 87e2ec9 held every write during an fsync because appending
 *   past the end of the file while fdatasync ran on it made each fsync about six times
 *   slower; with the space written ahead, two overlapping fsyncs completed 1.5 to 3 times as
 *   many per second here, each about as fast as one alone.)
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
  /** The file's size: `bytes`, or beyond it when zeros were written ahead. */
  private allocated: number;
  private preallocating: boolean;
  /** Covered by a completed fsync (or a compaction). */
  private syncedBytes: number;
  /** What has been reported durable; a failure cuts the journal back to this. */
  private committedBytes: number;
  /** At most one for 'batch' and 'never' (the writes of the next job); one per write for 'always'. */
  private readonly held: Batch[] = [];
  /** Jobs whose writes have not resolved yet, oldest first. */
  private readonly syncing: Job[] = [];
  /** fdatasync calls that have not returned. */
  private running = 0;
  /**
   * How many fsyncs may run at once: two for 'batch', so that the writes issued during one get
   * their own fsync at once instead of waiting for it to finish (on a busy disk, two overlapping
   * fdatasyncs completed 1.5 to 3 times as many per second as one after the other, each as fast).
   * 'always' runs one at a time, one write each.
   */
  private readonly maxSyncs: number;
  private commitQueued = false;
  /** Records were appended since the last compaction (which alone does not make another due). */
  private appended = false;
  private compacting = false;
  private compactAt: number;
  private failure: OutboxError | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly counters = { writes: 0, fsyncsStarted: 0, fsyncs: 0, compactions: 0 };

  constructor(private readonly options: JournalWriterOptions) {
    this.fd = options.fd;
    this.bytes = options.bytes;
    this.allocated = options.bytes;
    this.preallocating = options.policy !== 'never';
    this.maxSyncs = options.policy === 'batch' ? 2 : 1;
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
   * Appends `changes`, which changesSize sized at `bytes` (and so found storable); resolves
   * when they are durable per the policy. Throws when the journal has failed.
   */
  write(changes: readonly JournalChange[], bytes: number): Promise<void> {
    this.assertWritable();
    this.counters.writes++;
    let batch = this.options.policy === 'always' ? undefined : this.held[0];
    if (batch === undefined) this.held.push((batch = newBatch()));
    batch.changes.push(changes);
    batch.bytes += bytes;
    this.scheduleCommit();
    return batch.promise;
  }

  /** Waits for what is in flight, makes everything durable and closes the file. */
  async close(): Promise<void> {
    if (!this.isIdle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    try {
      // The zeros written ahead go: a closed journal ends with its last record.
      if (this.failure === undefined && this.allocated > this.bytes) ftruncateSync(this.fd, this.bytes);
      // A clean close is durable whatever the policy: with 'never' this is the one fsync.
      if (this.failure === undefined && this.syncedBytes < this.bytes) await this.sync(this.fd, fdatasyncFile);
    } finally {
      closeSync(this.fd);
    }
  }

  /**
   * Appends a batch as one record, whole (a short write is continued), in one write syscall
   * on the calling thread: no fsync runs on the file meanwhile, and it costs less than a trip
   * to the thread pool and back (which took 0.2 to 0.5 ms per job here, the append itself 10
   * to 20 µs). One record rather than one per write: a frame header, a checksum and a buffer
   * per write cost about as much as the rest of the journal's work.
   */
  private append(batch: Batch): void {
    const bytes = encodeRecords(this.options.marker, batch.changes, batch.bytes);
    if (this.preallocating && this.bytes + bytes.length > this.allocated) this.preallocate(this.bytes + bytes.length + PREALLOCATE_BYTES);
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.fd, bytes, offset, bytes.length - offset, this.bytes + offset);
    this.bytes += bytes.length;
    this.appended = true;
    for (const changes of batch.changes) this.options.live.apply(changes);
  }

  /**
   * Writes zeros up to `size`. Best effort: when the disk (or a file size limit) refuses them,
   * the journal grows with its records instead, and only the records' own writes can fail it.
   */
  private preallocate(size: number): void {
    zeros ??= Buffer.alloc(64 * 1024);
    try {
      while (this.allocated < size) this.allocated += writeSync(this.fd, zeros, 0, Math.min(zeros.length, size - this.allocated), this.allocated);
    } catch {
      this.preallocating = false;
    }
  }

  private async sync(fd: number, how: (fd: number) => Promise<void> = fsyncFile): Promise<void> {
    this.counters.fsyncsStarted++;
    await how(fd);
    this.counters.fsyncs++;
  }

  private scheduleCommit(): void {
    if (this.commitQueued || this.compacting || this.running >= this.maxSyncs) return;
    this.commitQueued = true;
    // At the end of the current run of code: the writes issued in it share one fsync.
    queueMicrotask(this.startJobs);
  }

  /** Appends what is held and starts its fsync, while fewer than `maxSyncs` run. */
  private readonly startJobs = (): void => {
    this.commitQueued = false;
    const { policy } = this.options;
    while (this.failure === undefined && !this.compacting && this.held.length > 0 && this.running < this.maxSyncs) {
      const batch = this.held.shift()!;
      try {
        this.append(batch);
      } catch (error) {
        this.fail(error, batch);
        return;
      }
      if (policy === 'never') {
        this.committedBytes = this.bytes;
        batch.resolve();
        continue;
      }
      const job: Job = { batch, end: this.bytes, index: this.counters.fsyncsStarted++ };
      this.syncing.push(job);
      this.running++;
      fdatasync(this.fd, (error) => this.synced(job, error));
    }
    this.afterJobs();
  };

  /**
   * An fdatasync returned. It made durable every byte written before it was called: its own
   * job's and those of every earlier job, even one whose own fdatasync has not returned yet
   * (so a slow one does not hold back the writes after it; about one in six overtook an
   * earlier one here).
   */
  private synced(job: Job, error: Error | null): void {
    this.running--;
    if (error !== null) {
      if (this.failure === undefined) this.fail(error);
    } else {
      this.counters.fsyncs = Math.max(this.counters.fsyncs, job.index + 1);
      if (this.failure === undefined && this.syncing.includes(job)) {
        for (let first = this.syncing.shift()!; ; first = this.syncing.shift()!) {
          this.syncedBytes = this.committedBytes = first.end;
          first.batch.resolve();
          if (first === job) break;
        }
      }
    }
    // Straight away, before the resolved writes' continuations run: what they issued meanwhile
    // is held for the next job.
    this.startJobs();
  }

  /** Between jobs: compaction when records were appended, nothing is syncing and it is due. */
  private afterJobs(): void {
    if (this.appended && this.running === 0 && this.dueForCompaction()) {
      this.appended = false;
      void this.compact();
      return;
    }
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
      this.bytes = this.syncedBytes = this.committedBytes = this.allocated = image.reduce((sum, part) => sum + part.length, 0);
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

  private fail(error: unknown, alsoWaiting?: Batch): void {
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
    // Close still waits for the fdatasync calls running (`running`).
    for (const job of this.syncing.splice(0)) job.batch.reject(failure);
    alsoWaiting?.reject(failure);
    for (const batch of this.held.splice(0)) batch.reject(failure);
    this.settleIdle();
  }

  private isIdle(): boolean {
    return !this.commitQueued && !this.compacting && this.held.length === 0 && this.running === 0;
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
