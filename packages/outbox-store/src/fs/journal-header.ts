import { crc32 } from './crc32';

// The first bytes of a journal: "CourierJ" | format (1 byte) | 3 bytes zero | the frame marker
// (4 bytes) | CRC-32 of the 16 bytes before it. The format byte lets a later version refuse
// to rewrite a journal it does not understand instead of "repairing" it away.

/** The journal format this version writes and reads. */
export const JOURNAL_FORMAT = 1;

/** The size of the header; the first record starts here. */
export const HEADER_BYTES = 20;

const MAGIC = Buffer.from('CourierJ', 'latin1');

/** What a journal's header says: its frame marker, or why it cannot be read. */
export type HeaderReading = { marker: Buffer } | { problem: 'short' | 'damaged' } | { problem: 'format'; format: number };

/** The header of a new journal whose records carry `marker`. */
export function encodeHeader(marker: Uint8Array): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header[8] = JOURNAL_FORMAT;
  header.set(marker, 12);
  header.writeUInt32LE(crc32(header, 0, 16), 16);
  return header;
}

/** Reads the header at the start of `file`. */
export function readHeader(file: Buffer): HeaderReading {
  if (file.length < HEADER_BYTES) return { problem: 'short' };
  if (!file.subarray(0, 8).equals(MAGIC) || crc32(file, 0, 16) !== file.readUInt32LE(16)) return { problem: 'damaged' };
  if (file[8] !== JOURNAL_FORMAT) return { problem: 'format', format: file[8]! };
  return { marker: Buffer.from(file.subarray(12, 16)) };
}
