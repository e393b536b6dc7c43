import { malformed, protocolError } from './errors';
import { readUtf8 } from './utf8';

const EMPTY = new Uint8Array(0);

/**
 * A cursor over one frame's bytes. The decoder keeps one and points it at each frame in turn, so
 * reading allocates nothing but the values it returns. Every read checks the frame's end:
 * reading past it is a malformed packet, never a read of the next frame.
 */
export class Reader {
  buf: Uint8Array = EMPTY;
  pos = 0;
  end = 0;

  reset(buf: Uint8Array, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) throw malformed('the packet ends inside a field');
    return this.buf[this.pos++];
  }

  u16(): number {
    const pos = this.pos;
    if (pos + 2 > this.end) throw malformed('the packet ends inside a field');
    this.pos = pos + 2;
    return (this.buf[pos] << 8) | this.buf[pos + 1];
  }

  u32(): number {
    const pos = this.pos;
    if (pos + 4 > this.end) throw malformed('the packet ends inside a field');
    this.pos = pos + 4;
    const b = this.buf;
    return b[pos] * 0x1000000 + ((b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]);
  }

  /** A Variable Byte Integer: at most four bytes [MQTT-1.5.5-1], in its shortest form. */
  varint(): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) throw malformed('a variable byte integer is not in its shortest form');
        return value;
      }
      multiplier *= 128;
    }
    throw malformed('a variable byte integer is longer than four bytes');
  }

  /** A UTF-8 Encoded String: a two-byte length, then that many bytes of UTF-8. */
  utf8(): string {
    const length = this.u16();
    const start = this.pos;
    if (start + length > this.end) throw malformed('a string runs past the end of the packet');
    this.pos = start + length;
    return readUtf8(this.buf, start, start + length);
  }

  /** Binary Data: a two-byte length, then that many bytes, returned as a view (no copy). */
  binary(): Uint8Array {
    const length = this.u16();
    const start = this.pos;
    if (start + length > this.end) throw malformed('binary data runs past the end of the packet');
    this.pos = start + length;
    return this.buf.subarray(start, start + length);
  }

  /** The rest of the frame as a view (no copy): a PUBLISH payload. */
  rest(): Uint8Array {
    const start = this.pos;
    this.pos = this.end;
    return this.buf.subarray(start, this.end);
  }

  /** A packet identifier, which is never 0 [MQTT-2.3.1-1]. */
  packetId(): number {
    const id = this.u16();
    if (id === 0) throw protocolError('a packet identifier is 0');
    return id;
  }
}
