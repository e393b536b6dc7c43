import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { OutboxError, type OutboxDamage } from '@courier/core';
import { readBody } from './change-codec';
import type { OutboxFiles } from './file-names';
import { frameAt } from './frame';
import { journalImage, type ReplaceHooks, replaceJournal } from './journal-file';
import { HEADER_BYTES, readHeader } from './journal-header';
import { scanJournal } from './journal-scan';
import { OutboxState } from './outbox-state';

/** A journal read back: its state, its marker, and the journal open for appending. */
export interface RecoveredJournal {
  state: OutboxState;
  marker: Buffer;
  fd: number;
  bytes: number;
  damage: OutboxDamage[];
}

async function readJournal(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function rewritten(files: OutboxFiles, state: OutboxState, marker: Buffer, damage: OutboxDamage[], hooks: ReplaceHooks): Promise<RecoveredJournal> {
  const image = journalImage(state, marker);
  const fd = await replaceJournal(files, image, hooks);
  return { state, marker, fd, bytes: image.reduce((sum, part) => sum + part.length, 0), damage };
}

/**
 * The marker of a journal whose header is damaged, read from its first record (which starts
 * with it), when that record checks out with it.
 */
function markerOfFirstRecord(file: Buffer): Buffer | undefined {
  const guess = file.subarray(HEADER_BYTES, HEADER_BYTES + 4);
  return guess.length === 4 && typeof frameAt(file, HEADER_BYTES, guess) !== 'string' ? Buffer.from(guess) : undefined;
}

/**
 * Opens the journal at `files.journal`, replays it, and reports what it could not read:
 * - none yet (or empty): a new journal;
 * - a torn or corrupt tail: cut off, so that new records follow intact ones;
 * - damage before the tail (or a damaged header): the journal is rewritten from what was read,
 *   so that the damage is reported once, not at every start;
 * - a journal that cannot be read at all: moved aside (kept for a human), a new one started;
 * - a journal of a later format: refused, and left as it is.
 */
export async function recoverJournal(files: OutboxFiles, hooks: ReplaceHooks): Promise<RecoveredJournal> {
  const state = new OutboxState();
  const damage: OutboxDamage[] = [];
  const where = (offset: number): string => `byte ${offset} of ${files.journal}`;
  const file = await readJournal(files.journal);
  if (file === undefined || file.length === 0) return rewritten(files, state, randomBytes(4), damage, hooks);

  const header = readHeader(file);
  let marker: Buffer;
  let rewrite = false;
  if ('marker' in header) {
    marker = header.marker;
  } else if (header.problem === 'format') {
    throw new OutboxError(`${files.journal} is in journal format ${header.format}, which this version of Courier cannot read; it is left as it is`);
  } else {
    const found = markerOfFirstRecord(file);
    if (found === undefined) {
      const aside = `${files.journal}.unreadable-${Date.now()}`;
      await rename(files.journal, aside);
      damage.push({ where: where(0), bytes: file.length, reason: `not a readable outbox journal (moved aside to ${aside}); the outbox starts empty` });
      return rewritten(files, state, randomBytes(4), damage, hooks);
    }
    marker = found;
    rewrite = true;
    damage.push({ where: where(0), bytes: HEADER_BYTES, reason: 'the journal header is damaged (the records after it were read)' });
  }

  const scan = scanJournal(file, HEADER_BYTES, marker, (bodyStart, end) => {
    try {
      // Decoded whole before any of it is applied: a record is kept or skipped as one batch.
      state.apply(readBody(file, bodyStart, end));
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  });
  for (const span of scan.skipped) damage.push({ where: where(span.offset), bytes: span.bytes, reason: span.reason });
  if (rewrite || scan.damagedInside) return rewritten(files, state, marker, damage, hooks);

  // Not for appending: the writer writes at its own offsets, over the zeros it writes ahead.
  const fd = openSync(files.journal, 'r+');
  try {
    if (scan.end < file.length) {
      ftruncateSync(fd, scan.end);
      await hooks.sync(fd);
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return { state, marker, fd, bytes: scan.end, damage };
}
