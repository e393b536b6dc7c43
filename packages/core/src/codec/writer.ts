import { EncodeError } from './errors';
import { writeUtf8 } from './utf8';

/** The largest value a Variable Byte Integer holds (section 1.5.5). */
export const MAX_VARINT = 268_435_455;

/** How many bytes `value` takes as a Variable Byte Integer. */
export function varintLength(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  while (value >= 128) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}

export function writeU16(buf: Uint8Array, pos: number, value: number): number {
  buf[pos] = value >>> 8;
  buf[pos + 1] = value & 0xff;
  return pos + 2;
}

export function writeU32(buf: Uint8Array, pos: number, value: number): number {
  buf[pos] = value >>> 24;
  buf[pos + 1] = (value >>> 16) & 0xff;
  buf[pos + 2] = (value >>> 8) & 0xff;
  buf[pos + 3] = value & 0xff;
  return pos + 4;
}

// Small packets are carved out of a shared slab, as Node does for small Buffers: allocating a
// fresh ArrayBuffer per packet costs more than encoding it. A packet holds on to at most one slab.
// Packed without padding: packets encoded one after another are adjacent, so a transport can
// send a run of them as one view instead of one write each.
const SLAB_BYTES = 128 * 1024;
const SLAB_MAX_PACKET = 16 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * A fresh byte array of `size` for one packet. Small ones are views of a shared slab, so
 * `bytes.buffer` may hold other packets: use `bytes` itself, or respect `byteOffset`.
 */
export function allocatePacket(size: number): Uint8Array {
  if (size > SLAB_MAX_PACKET) return new Uint8Array(size);
  if (slabUsed + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  // Not subarray(): its species lookup costs more than the view itself.
  const bytes = new Uint8Array(slab, slabUsed, size);
  slabUsed += size;
  return bytes;
}

/**
 * Allocates a whole packet of `remaining` bytes after its fixed header and writes the header.
 * The body starts at `1 + varintLength(remaining)`.
 */
export function startPacket(firstByte: number, remaining: number): Uint8Array {
  if (remaining > MAX_VARINT) throw new EncodeError('the packet is larger than MQTT allows (256 MiB)');
  const buf = allocatePacket(1 + varintLength(remaining) + remaining);
  buf[0] = firstByte;
  writeVarint(buf, 1, remaining);
  return buf;
}

/** A UTF-8 Encoded String whose length the caller measured (see `measureString`). */
export function writeString(buf: Uint8Array, pos: number, s: string, byteLength: number): number {
  pos = writeU16(buf, pos, byteLength);
  writeUtf8(buf, pos, s, byteLength);
  return pos + byteLength;
}

/** Binary Data: a two-byte length, then the bytes. */
export function writeBinary(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  pos = writeU16(buf, pos, bytes.length);
  buf.set(bytes, pos);
  return pos + bytes.length;
}
