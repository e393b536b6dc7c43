import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The files of one client's outbox, all directly inside the outbox directory. */
export interface OutboxFiles {
  dir: string;
  /** The journal. */
  journal: string;
  /** Where compaction writes the next journal before renaming it over the old one. */
  temp: string;
  /** Held while the outbox is open. */
  lock: string;
}

// The longest stem before a client id is hashed: with the longest suffix added, names stay far
// below the 255-byte limit of common file systems.
const MAX_STEM = 100;

const HEX = '0123456789ABCDEF';

/**
 * The client id as a file name stem, the same on every OS and distinct for distinct ids.
 * - Only `a-z`, `0-9`, `-` and `_` stay as they are; every other UTF-8 byte becomes `%XX`
 *   (upper-case hex). No separator, no dot (so no `..`, no trailing dot that Windows drops),
 *   no upper-case letter (so ids that differ only in case stay distinct on a file system
 *   that ignores case), no non-ASCII (so no Unicode normalisation by the file system).
 * - A prefix, `o-` here, so that no stem is a name Windows reserves (`con`, `nul`, `com1`...)
 *   and the empty id has one.
 * - Past MAX_STEM: `h-`, the start of the escaped id for the human reader, and the SHA-256 of
 *   the id, which keeps distinct ids apart. The prefixes keep hashed and plain stems apart.
 * - An id with a lone surrogate (not valid UTF-8, so no broker takes it, but a string all the
 *   same) would lose it in UTF-8: `u-` and the SHA-256 of its UTF-16 code units instead.
 */
export function fileStem(clientId: string): string {
  if (/\p{Cs}/u.test(clientId)) return `u-${createHash('sha256').update(Buffer.from(clientId, 'utf16le')).digest('hex')}`;
  let escaped = '';
  for (const byte of Buffer.from(clientId, 'utf8')) {
    const plain = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x5f;
    escaped += plain ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
    if (escaped.length > MAX_STEM) break;
  }
  if (escaped.length + 2 <= MAX_STEM) return `o-${escaped}`;
  const hash = createHash('sha256').update(clientId, 'utf8').digest('hex');
  return `h-${escaped.slice(0, 24).replace(/%[0-9A-F]?$/, '')}-${hash}`;
}

/** The files of `clientId`'s outbox in `dir`. */
export function outboxFiles(dir: string, clientId: string): OutboxFiles {
  const stem = join(dir, fileStem(clientId));
  return { dir, journal: `${stem}.journal`, temp: `${stem}.journal.tmp`, lock: `${stem}.lock` };
}
