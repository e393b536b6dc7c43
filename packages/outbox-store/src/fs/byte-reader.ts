import { ERR_CORRUPT_RECORD } from '@courier/core';

/**
 * A record body that passed its checksum but does not decode: written by a different format
 * version, or by a bug. Internal: recovery turns it into reported damage, never a crash.
 */
export class CorruptRecordError extends Error {
  readonly code = ERR_CORRUPT_RECORD;
}

/** Reads a record body, within `[offset, end)` of its buffer and never past it. */
export class ByteReader {
  constructor(
    private readonly buffer: Buffer,
    private offset: number,
    private readonly end: number,
  ) {}

  get done(): boolean {
    return this.offset >= this.end;
  }

  u8(): number {
    this.need(1);
    return this.buffer[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const value = this.buffer.readUInt16LE(this.offset);
    this.offset += 2;
    return value;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) break;
        return value;
      }
      scale *= 0x80;
    }
    throw new CorruptRecordError('a number is out of range');
  }

  /** A copy, so that a record kept for long does not pin the whole journal read at open. */
  bytes(): Uint8Array {
    const length = this.varint();
    this.need(length);
    const copy = new Uint8Array(length);
    copy.set(this.buffer.subarray(this.offset, this.offset + length));
    this.offset += length;
    return copy;
  }

  string(): string {
    const length = this.varint();
    this.need(length);
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  private need(bytes: number): void {
    if (bytes > this.end - this.offset) throw new CorruptRecordError('the record ends too early');
  }
}
