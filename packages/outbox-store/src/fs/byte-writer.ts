import { OutboxError } from '@courier/core';

/**
 * The size of `value` as an unsigned LEB128 varint. Ids and counts are small in practice, so a
 * varint keeps records compact without capping them below Number.MAX_SAFE_INTEGER. Refuses
 * what could not be read back as the same number.
 */
export function varintSize(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new OutboxError(`the outbox cannot store ${what} ${String(value)}: not a non-negative integer`);
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** The size of a string as the journal stores it: a varint byte length, then UTF-8. */
export function stringSize(value: string, what: string): number {
  if (typeof value !== 'string') throw new OutboxError(`the outbox cannot store ${what}: not a string`);
  const bytes = Buffer.byteLength(value, 'utf8');
  return varintSize(bytes, what) + bytes;
}

/** The size of bytes as the journal stores them: a varint length, then the bytes. */
export function bytesSize(value: Uint8Array, what: string): number {
  if (!(value instanceof Uint8Array)) throw new OutboxError(`the outbox cannot store ${what}: not a Uint8Array`);
  return varintSize(value.length, what) + value.length;
}

/**
 * Writes into a buffer sized beforehand by the *Size functions, which also did the checking:
 * the writer itself never fails, so a record is either sized and written whole or refused
 * before anything is written.
 */
export class ByteWriter {
  constructor(
    readonly buffer: Buffer,
    public offset: number,
  ) {}

  u8(value: number): void {
    this.buffer[this.offset++] = value;
  }

  u16(value: number): void {
    this.buffer.writeUInt16LE(value, this.offset);
    this.offset += 2;
  }

  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.offset++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.offset++] = rest;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  string(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.varint(length);
    this.offset += this.buffer.write(value, this.offset, length, 'utf8');
  }
}
