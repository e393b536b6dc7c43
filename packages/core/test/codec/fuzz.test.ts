// Random and mutated input for the decoder. The CI run is short and seeded; a long run:
//   COURIER_FUZZ_FRAMES=1000000 npx vitest run --project src packages/core/test/codec/fuzz
// Replay a failure with COURIER_FUZZ_SEED=<the printed seed>.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DecodeError, encode, PacketDecoder, type Packet, type ProtocolVersion } from '@courier/core';
import { concat, packetArbitrary } from './arbitraries';

const FRAMES = Number(process.env.COURIER_FUZZ_FRAMES ?? 60_000);
const SEED = Number(process.env.COURIER_FUZZ_SEED ?? 0x5eed);

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}
type Random = ReturnType<typeof prng>;

interface Outcome {
  packets: Packet[];
  error?: { reasonCode: number; message: string };
  buffered: number;
}

/** Feeds `chunks`; any throw other than a DecodeError of our own making fails the test. */
function decode(version: ProtocolVersion, chunks: Uint8Array[]): Outcome {
  const decoder = new PacketDecoder({ version });
  const packets: Packet[] = [];
  for (const chunk of chunks) {
    try {
      packets.push(...decoder.push(chunk));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      if (error.cause !== undefined) throw error.cause; // an accident inside the decoder, not a rule
      packets.push(...error.precedingPackets);
      return { packets, error: { reasonCode: error.reasonCode, message: error.message }, buffered: 0 };
    }
  }
  return { packets, buffered: decoder.buffered };
}

function split(bytes: Uint8Array, random: Random): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const size = random.next() < 0.3 ? 1 + random.int(3) : 1 + random.int(bytes.length);
    chunks.push(bytes.slice(pos, pos + size));
    pos += size;
  }
  return chunks;
}

function mutate(frame: Uint8Array, random: Random): Uint8Array {
  const bytes = frame.slice();
  switch (random.int(6)) {
    case 0: // flip a few bits
      for (let i = 1 + random.int(3); i > 0; i--) bytes[random.int(bytes.length)]! ^= 1 << random.int(8);
      return bytes;
    case 1: // cut it short
      return bytes.slice(0, random.int(bytes.length));
    case 2: // corrupt the fixed header: type, flags or remaining length
      bytes[random.int(Math.min(bytes.length, 5))] = random.int(256);
      return bytes;
    case 3: // insert random bytes
      return concat([bytes.slice(0, random.int(bytes.length + 1)), randomBytes(random, 1 + random.int(4)), bytes.slice(random.int(bytes.length + 1))]);
    case 4: // drop a run of bytes
      return concat([bytes.slice(0, random.int(bytes.length)), bytes.slice(random.int(bytes.length))]);
    default: // overwrite a byte with a boundary value
      bytes[random.int(bytes.length)] = [0x00, 0x7f, 0x80, 0xff][random.int(4)]!;
      return bytes;
  }
}

function randomBytes(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => random.int(256));
}

/** What was accepted must be valid: it re-encodes, and that decodes to the same packet. */
function expectReencodable(packet: Packet, version: ProtocolVersion): void {
  // A 3.1.1-form CONNACK is accepted by a 5.0 decoder so that the client can fall back.
  const as: ProtocolVersion =
    packet.type === 'connect' ? packet.protocolVersion : packet.type === 'connack' && packet.properties === undefined && packet.reasonCode <= 5 ? 4 : version;
  const decoder = new PacketDecoder(packet.type === 'connect' ? {} : { version: as });
  expect(decoder.push(encode(packet, as))).toEqual([packet]);
}

function pool(version: ProtocolVersion): Uint8Array[][] {
  const packets = fc.sample(packetArbitrary(version).filter((p) => p.type !== 'connect'), { numRuns: 600, seed: SEED });
  return packets.map((p) => [encode(p, version).slice()]);
}

describe('decoder fuzzing', () => {
  const pools = { 4: pool(4), 5: pool(5) };
  const reference = (version: ProtocolVersion, frames: Uint8Array[]) => decode(version, [concat(frames)]);

  test(`${FRAMES} frames of random and mutated input yield only DecodeError (seed ${SEED})`, () => {
    const random = prng(SEED);
    let frames = 0;
    let rejected = 0;
    while (frames < FRAMES) {
      const version: ProtocolVersion = random.next() < 0.5 ? 4 : 5;
      const valid = Array.from({ length: 1 + random.int(5) }, () => pools[version][random.int(600)]![0]!);
      const damaged = random.int(valid.length);
      const stream =
        random.next() < 0.1
          ? [randomBytes(random, random.int(64))]
          : valid.map((frame, i) => (i === damaged ? mutate(frame, random) : frame));
      frames += stream.length;

      const whole = reference(version, stream);
      if (whole.error !== undefined) rejected++;
      // The same bytes in other chunkings give the same packets and the same error.
      for (let attempt = 0; attempt < 2; attempt++) {
        expect(decode(version, split(concat(stream), random))).toEqual(whole);
      }
      // Damage to one frame never changes the frames before it.
      if (stream.length === valid.length) {
        const before = reference(version, valid.slice(0, damaged)).packets;
        expect(whole.packets.slice(0, before.length)).toEqual(before);
      }
      for (const packet of whole.packets) expectReencodable(packet, version);
    }
    console.log(`fuzz: ${frames} frames, ${rejected} streams rejected, seed ${SEED}`);
    expect(rejected).toBeGreaterThan(0);
  }, 600_000);
});
