import { close, fsync, open, rename, rm, write } from 'node:fs';
import { promisify } from 'node:util';
import { OutboxError } from '@courier/core';
import { encodeRecord } from './change-codec';
import type { OutboxFiles } from './file-names';
import { encodeHeader } from './journal-header';
import type { OutboxState } from './outbox-state';

const openFile = promisify(open);
const writeFile = promisify(write);
const closeFile = promisify(close);
const renameFile = promisify(rename);
const removeFile = promisify(rm);

/** A step of replacing the journal, reported to `onStep` before the next one starts. */
export type CompactionStep = 'written' | 'synced' | 'renamed';

/** What replacing the journal needs: an fsync (counted by the caller) and, for tests, a step hook. */
export interface ReplaceHooks {
  sync(fd: number): Promise<void>;
  onStep?: ((step: CompactionStep) => void) | undefined;
}

/** Replacing the journal failed. `renamed`: whether the new journal had already taken its place. */
export class JournalReplaceError extends OutboxError {
  constructor(
    readonly renamed: boolean,
    cause: unknown,
  ) {
    super(`the outbox journal could not be rewritten: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** A whole journal holding just `state`: the header, then the state as records. */
export function journalImage(state: OutboxState, marker: Uint8Array): Buffer[] {
  return [encodeHeader(marker), ...state.batches().map((batch) => encodeRecord(marker, batch))];
}

async function writeAll(fd: number, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) offset += (await writeFile(fd, bytes, offset, bytes.length - offset)).bytesWritten;
}

/**
 * Makes the directory entry changes in `dir` (a rename) durable. Windows cannot open a
 * directory, and its renames are journaled by NTFS: nothing to do there.
 */
export async function syncDirectory(dir: string, sync: (fd: number) => Promise<void>): Promise<void> {
  if (process.platform === 'win32') return;
  const fd = await openFile(dir, 'r');
  try {
    await sync(fd);
  } finally {
    await closeFile(fd);
  }
}

/**
 * Makes `parts` the whole journal, so that a crash at any moment leaves either the old journal
 * or the new one, each complete: written to the temp file, fsynced, renamed over the journal
 * (atomic), then the directory fsynced (which makes the rename itself durable). A temp file a
 * crash leaves behind is removed at the next open. Returns the new journal, open for writing
 * (at explicit offsets: not in append mode).
 */
export async function replaceJournal(files: OutboxFiles, parts: readonly Buffer[], hooks: ReplaceHooks): Promise<number> {
  let fd: number | undefined;
  let renamed = false;
  try {
    await removeFile(files.temp, { force: true });
    fd = await openFile(files.temp, 'wx');
    for (const part of parts) await writeAll(fd, part);
    hooks.onStep?.('written');
    await hooks.sync(fd);
    hooks.onStep?.('synced');
    await renameFile(files.temp, files.journal);
    renamed = true;
    hooks.onStep?.('renamed');
    await syncDirectory(files.dir, hooks.sync);
    return fd;
  } catch (error) {
    if (fd !== undefined) await closeFile(fd).catch(() => undefined);
    if (!renamed) await removeFile(files.temp, { force: true }).catch(() => undefined);
    throw new JournalReplaceError(renamed, error);
  }
}

/** fsync as a promise (the whole file: used for new journals and directories). */
export const fsyncFile: (fd: number) => Promise<void> = promisify(fsync);
