import { describe, expect, test } from 'vitest';
import { DecodeError, encode, PacketDecoder, ReasonCode, type PublishPacket } from '@courier/core';
import { concat } from './arbitraries';

const publish = (packetId: number, payloadLength = 8): PublishPacket => ({
  type: 'publish',
  topic: 'sensors/1',
  payload: new Uint8Array(payloadLength).fill(packetId),
  qos: 1,
  dup: false,
  retain: false,
  packetId,
});

function catchDecodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

describe('PacketDecoder framing', () => {
  test('decodes many frames pushed in one chunk, in order', () => {
    const packets = [publish(1), { type: 'pingresp' as const }, publish(2), { type: 'puback' as const, packetId: 3, reasonCode: 0 }];
    const bytes = concat(packets.map((p) => encode(p, 5)));
    expect(new PacketDecoder({ version: 5 }).push(bytes)).toEqual(packets);
  });

  test('decodes a frame split at every possible byte, header included', () => {
    const bytes = encode(publish(7, 300), 5); // a two-byte remaining length
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new PacketDecoder({ version: 5 });
      expect(decoder.push(bytes.slice(0, cut))).toEqual([]);
      expect(decoder.buffered).toBe(cut);
      expect(decoder.push(bytes.slice(cut))).toEqual([publish(7, 300)]);
      expect(decoder.buffered).toBe(0);
    }
  });

  test('decodes a frame delivered one byte at a time', () => {
    const bytes = encode(publish(9, 200), 4);
    const decoder = new PacketDecoder({ version: 4 });
    const out = [];
    for (const byte of bytes) out.push(...decoder.push(Uint8Array.of(byte)));
    expect(out).toEqual([publish(9, 200)]);
  });

  test('a payload that arrives in one chunk is a view into that chunk, not a copy', () => {
    const chunk = concat([encode(publish(1), 5), encode(publish(2), 5)]);
    const [first, second] = new PacketDecoder({ version: 5 }).push(chunk) as PublishPacket[];
    expect(first!.payload.buffer).toBe(chunk.buffer);
    expect(second!.payload.buffer).toBe(chunk.buffer);
    expect(second!.payload.byteOffset).toBeGreaterThan(first!.payload.byteOffset);
  });

  test('a payload whose frame spans chunks is copied once, out of both chunks', () => {
    const bytes = encode(publish(4, 64), 5);
    const decoder = new PacketDecoder({ version: 5 });
    const head = bytes.slice(0, 20);
    const tail = bytes.slice(20);
    decoder.push(head);
    const [packet] = decoder.push(tail) as PublishPacket[];
    expect(packet!.payload.buffer).not.toBe(head.buffer);
    expect(packet!.payload.buffer).not.toBe(tail.buffer);
    expect(packet!.payload).toEqual(new Uint8Array(64).fill(4));
  });

  test('an oversized frame is refused from its header alone, before its body is buffered [MQTT-3.2.2-15]', () => {
    const decoder = new PacketDecoder({ version: 5, maximumPacketSize: 1024 });
    // PUBLISH with a remaining length of 1,000,000: only the five header bytes arrive.
    const error = catchDecodeError(() => decoder.push(Uint8Array.of(0x30, 0xc0, 0x84, 0x3d)));
    expect(error.reasonCode).toBe(ReasonCode.PacketTooLarge);
    expect(decoder.buffered).toBe(0);
  });

  test('a header announcing a huge frame costs the bytes that arrived, not the bytes it announced', () => {
    // A PUBLISH whose remaining length says 268,435,455, then three body bytes: the decoder used
    // to allocate the whole announced body at once, 256 MiB for eight bytes from the peer.
    const before = process.memoryUsage().arrayBuffers;
    const decoder = new PacketDecoder({ version: 5 });
    decoder.push(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01, 0x74));
    expect(decoder.buffered).toBe(8);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  test('a large frame arriving in small chunks decodes whole as its buffer grows', () => {
    const packet = publish(3, 300_000);
    const bytes = encode(packet, 5);
    const decoder = new PacketDecoder({ version: 5 });
    const out = [];
    for (let pos = 0; pos < bytes.length; pos += 1000) out.push(...decoder.push(bytes.slice(pos, pos + 1000)));
    expect(out).toEqual([packet]);
    expect(decoder.buffered).toBe(0);
  });

  test('a frame of exactly the maximum packet size is accepted, one byte more is not', () => {
    const bytes = encode(publish(1, 50), 5);
    expect(new PacketDecoder({ version: 5, maximumPacketSize: bytes.length }).push(bytes)).toHaveLength(1);
    const error = catchDecodeError(() => new PacketDecoder({ version: 5, maximumPacketSize: bytes.length - 1 }).push(bytes));
    expect(error.reasonCode).toBe(ReasonCode.PacketTooLarge);
  });

  test('packets completed before a bad frame in the same chunk travel with the error', () => {
    const good = encode({ type: 'puback', packetId: 5 }, 5);
    const bad = Uint8Array.of(0x00, 0x00); // reserved packet type 0
    const error = catchDecodeError(() => new PacketDecoder({ version: 5 }).push(concat([good, bad])));
    expect(error.reasonCode).toBe(ReasonCode.MalformedPacket);
    expect(error.precedingPackets).toEqual([{ type: 'puback', packetId: 5, reasonCode: 0 }]);
  });

  test('after an error the decoder refuses more input, since MQTT cannot resynchronise, until reset()', () => {
    const decoder = new PacketDecoder({ version: 5 });
    catchDecodeError(() => decoder.push(Uint8Array.of(0x30, 0x01, 0x00))); // a PUBLISH cut inside its topic length
    const again = catchDecodeError(() => decoder.push(encode({ type: 'pingresp' }, 5)));
    expect(again.reasonCode).toBe(ReasonCode.MalformedPacket);
    expect(again.message).toMatch(/earlier error/);
    decoder.reset();
    expect(decoder.push(encode({ type: 'pingresp' }, 5))).toEqual([{ type: 'pingresp' }]);
  });

  test('reset() drops a partial frame, so a new connection starts clean', () => {
    const decoder = new PacketDecoder({ version: 4 });
    decoder.push(encode(publish(1), 4).slice(0, 6));
    decoder.reset();
    expect(decoder.buffered).toBe(0);
    expect(decoder.push(encode({ type: 'pingresp' }, 4))).toEqual([{ type: 'pingresp' }]);
  });

  test('without a version, the first packet must be CONNECT [MQTT-3.1.0-1]', () => {
    const error = catchDecodeError(() => new PacketDecoder().push(encode({ type: 'pingreq' }, 4)));
    expect(error.reasonCode).toBe(ReasonCode.ProtocolError);
  });

  test('a decoded CONNECT sets the version for the packets after it', () => {
    const decoder = new PacketDecoder();
    const connect = encode({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 30 }, 5);
    const puback = encode({ type: 'puback', packetId: 1, reasonCode: 0x10 }, 5);
    expect(decoder.push(connect)).toHaveLength(1);
    expect(decoder.version).toBe(5);
    expect(decoder.push(puback)).toEqual([{ type: 'puback', packetId: 1, reasonCode: 0x10 }]);
  });

  test('input that is not a Uint8Array is a DecodeError, not a TypeError', () => {
    const error = catchDecodeError(() => new PacketDecoder({ version: 5 }).push('hello' as unknown as Uint8Array));
    expect(error.code).toBe('ERR_DECODE');
  });

  test('options out of range are refused when the decoder is made', () => {
    expect(() => new PacketDecoder({ version: 3 as 4 })).toThrow(RangeError);
    expect(() => new PacketDecoder({ maximumPacketSize: 0 })).toThrow(RangeError);
  });
});
