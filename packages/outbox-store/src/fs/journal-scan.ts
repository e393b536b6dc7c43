import { type FrameProblem, frameAt } from './frame';

/** A span of the journal that recovery skipped. */
export interface SkippedSpan {
  offset: number;
  bytes: number;
  reason: string;
}

/** What a scan of the journal found. */
export interface JournalScan {
  /** Every span skipped, in file order; the last one may be the tail. */
  skipped: SkippedSpan[];
  /** Where the readable journal ends: the file is cut here when its tail is damaged. */
  end: number;
  /** Whether something was skipped before the tail (the journal wants rewriting, not cutting). */
  damagedInside: boolean;
}

function middleReason(problem: FrameProblem): string {
  if (problem === 'marker') return 'bytes that are not a record (a damaged record marker?)';
  if (problem === 'short') return 'a record whose length is damaged';
  return 'a damaged record (checksum mismatch)';
}

function tailReason(problem: FrameProblem): string {
  if (problem === 'short') return 'the last record is incomplete (its write was cut short)';
  return `the end of the journal is unreadable: ${middleReason(problem)}`;
}

/** Whether the file holds only zeros from `offset`: space the writer filled ahead, not damage. */
function zerosFrom(file: Buffer, offset: number): boolean {
  for (let i = offset; i < file.length; i++) if (file[i] !== 0) return false;
  return true;
}

/**
 * Walks the records of `file` from `start`, handing each intact one to `visit`, which returns
 * a reason when it cannot use the record (its body does not decode). Where the bytes at the
 * current position are not an intact record, it scans forward for the next one that is: the
 * span between is skipped and reported. When none follows, the rest of the file is the
 * damaged tail, unless it is all zeros (written ahead of the records: the journal's free
 * space). So one damaged record costs that record, never the ones after it.
 */
export function scanJournal(file: Buffer, start: number, marker: Uint8Array, visit: (bodyStart: number, end: number) => string | undefined): JournalScan {
  const skipped: SkippedSpan[] = [];
  let damagedInside = false;
  let offset = start;
  while (offset < file.length) {
    const frame = frameAt(file, offset, marker);
    if (typeof frame !== 'string') {
      const problem = visit(frame.bodyStart, frame.end);
      if (problem !== undefined) {
        skipped.push({ offset, bytes: frame.end - offset, reason: `an unreadable record: ${problem}` });
        damagedInside = true;
      }
      offset = frame.end;
      continue;
    }
    if (zerosFrom(file, offset)) return { skipped, end: offset, damagedInside };
    let next = file.indexOf(marker, offset + 1);
    while (next !== -1 && typeof frameAt(file, next, marker) === 'string') next = file.indexOf(marker, next + 1);
    if (next === -1) {
      skipped.push({ offset, bytes: file.length - offset, reason: tailReason(frame) });
      return { skipped, end: offset, damagedInside };
    }
    skipped.push({ offset, bytes: next - offset, reason: middleReason(frame) });
    damagedInside = true;
    offset = next;
  }
  return { skipped, end: file.length, damagedInside };
}
