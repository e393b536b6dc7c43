import { ByteWriter } from './byte-writer';
import { crc32 } from './crc32';

// A record on disk: marker (4 bytes) | body length (u32 LE) | CRC-32 (u32 LE) | body.
//
// - The marker is 4 random bytes chosen when the journal is created and kept in its header.
//   After damage, recovery scans forward for the next marker whose frame checks out. Being
//   random per journal, it is not a constant that a payload could carry by accident (say, a
//   journal file sent as a message) or by design: a crafted payload cannot plant a record
//   that recovery would take for real, unless it guesses 32 random bits.
// - The CRC covers the marker and the length as well as the body, so that a damaged length is
//   caught and recovery does not trust it to skip over good records.

/** Bytes before the body. */
export const FRAME_HEADER_BYTES = 12;

/** The largest body a frame may declare; anything larger is damage (the format's sanity bound). */
export const MAX_BODY_BYTES = 1 << 30;

/** Why no valid frame starts at an offset. */
export type FrameProblem = 'short' | 'marker' | 'checksum';

/** A frame found at an offset: where its body is and where the next frame starts. */
export interface FrameAt {
  bodyStart: number;
  end: number;
}

function frameCrc(bytes: Uint8Array, start: number, bodyEnd: number): number {
  return crc32(bytes, start + FRAME_HEADER_BYTES, bodyEnd, crc32(bytes, start, start + 8));
}

/** One framed record, its body written by `writeBody` into exactly `bodySize` bytes. */
export function encodeFrame(marker: Uint8Array, bodySize: number, writeBody: (writer: ByteWriter) => void): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodySize);
  frame.set(marker, 0);
  frame.writeUInt32LE(bodySize, 4);
  const writer = new ByteWriter(frame, FRAME_HEADER_BYTES);
  writeBody(writer);
  if (writer.offset !== frame.length) throw new Error(`a record body was sized ${bodySize} bytes but written as ${writer.offset - FRAME_HEADER_BYTES}`);
  frame.writeUInt32LE(frameCrc(frame, 0, frame.length), 8);
  return frame;
}

/**
 * The frame at `offset`, or why there is none there: 'short' when the bytes up to the end of
 * the file are the start of a frame cut off, 'marker' when no frame starts here, 'checksum'
 * when the frame's bytes are damaged.
 */
export function frameAt(file: Buffer, offset: number, marker: Uint8Array): FrameAt | FrameProblem {
  const available = file.length - offset;
  // Up to the end of the file when it ends inside the marker: a marker cut short is 'short'.
  for (let i = 0; i < 4 && i < available; i++) if (file[offset + i] !== marker[i]) return 'marker';
  if (available < FRAME_HEADER_BYTES) return 'short';
  const length = file.readUInt32LE(offset + 4);
  if (length > MAX_BODY_BYTES) return 'checksum';
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > file.length) return 'short';
  if (frameCrc(file, offset, end) !== file.readUInt32LE(offset + 8)) return 'checksum';
  return { bodyStart: offset + FRAME_HEADER_BYTES, end };
}
