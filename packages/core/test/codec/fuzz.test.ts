// Random and mutated input for the three decoders in use: a server's (PacketDecoder without a
// version: the stream opens with CONNECT), a tool's (PacketDecoder with a version) and a client's
// (only what a server sends). Both protocol versions, valid frames with one damaged, streams cut
// at random chunk boundaries. The CI run is short and seeded; the long run:
//   COURIER_FUZZ_FRAMES=1000000 npx vitest run --project src packages/core/test/codec/fuzz
// Replay a failure with COURIER_FUZZ_SEED=<the printed seed>.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DecodeError, encode, PacketDecoder, type Packet, type ProtocolVersion } from '@courier/core';
import { decodeFromServer } from '../../src/codec/client-codec';
import { FrameDecoder } from '../../src/codec/frame-decoder';
import { concat, packetArbitrary } from './arbitraries';

const FRAMES = Number(process.env.COURIER_FUZZ_FRAMES ?? 20_000);
const SEED = Number(process.env.COURIER_FUZZ_SEED ?? 0x5eed);
const POOL = 600;
// No stream of a few hundred bytes may take this long to decode, however loaded the machine:
// a stream that does is a hang (a loop that does not advance), not slowness.
const HANG_MS = 2_000;

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

/** Which side decodes: a broker, a tool that knows the version, or a client. */
type Side = 'server' | 'any' | 'client';

interface Stream {
  side: Side;
  version: ProtocolVersion;
  /** The decoder's maximum packet size (small ones exercise 0x95 Packet Too Large). */
  maximumPacketSize: number | undefined;
  frames: Uint8Array[];
}

interface Outcome {
  packets: Packet[];
  error?: { reasonCode: number; message: string };
  buffered: number;
}

function decoderFor(stream: Stream): FrameDecoder {
  const options = stream.maximumPacketSize === undefined ? {} : { maximumPacketSize: stream.maximumPacketSize };
  if (stream.side === 'server') return new PacketDecoder(options);
  if (stream.side === 'any') return new PacketDecoder({ ...options, version: stream.version });
  return new FrameDecoder({ ...options, version: stream.version }, decodeFromServer);
}

/**
 * Feeds `chunks`; any throw other than a DecodeError of our own making fails the test. Memory is
 * bounded by what was sent: a partial frame never holds more than the bytes received, nor more
 * than the maximum packet size (or a fixed header), whatever length its header announces.
 */
function decode(stream: Stream, chunks: Uint8Array[]): Outcome {
  const decoder = decoderFor(stream);
  const packets: Packet[] = [];
  let received = 0;
  for (const chunk of chunks) {
    received += chunk.length;
    try {
      packets.push(...decoder.push(chunk));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      if (error.cause !== undefined) throw error.cause; // an accident inside the decoder, not a rule
      packets.push(...error.precedingPackets);
      return { packets, error: { reasonCode: error.reasonCode, message: error.message }, buffered: 0 };
    }
    // A partial fixed header (at most 5 bytes) sits in a buffer of its own before the size is known.
    if (decoder.buffered > Math.min(received, Math.max(5, decoder.maximumPacketSize))) {
      throw new Error(`the decoder holds ${decoder.buffered} bytes after receiving ${received}`);
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
  switch (random.int(7)) {
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
    case 5: // announce a huge remaining length and send only the start of the body
      return concat([Uint8Array.of(bytes[0]!, 0xff, 0xff, 0xff, 0x7f), bytes.slice(2)]);
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

const SERVER_SENDS = new Set<Packet['type']>(['publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'connack', 'suback', 'unsuback', 'pingresp', 'disconnect', 'auth']);

interface Pools {
  connects: Uint8Array[];
  any: Uint8Array[];
  fromServer: Uint8Array[];
}

function pools(version: ProtocolVersion): Pools {
  const sample = (keep: (p: Packet) => boolean, seed: number) =>
    fc.sample(packetArbitrary(version).filter(keep), { numRuns: POOL, seed }).map((p) => encode(p, version).slice());
  return {
    connects: sample((p) => p.type === 'connect', SEED + 1),
    any: sample((p) => p.type !== 'connect', SEED),
    fromServer: sample((p) => SERVER_SENDS.has(p.type), SEED + 2),
  };
}

/** A few valid frames for one side, one of them damaged; or, one time in ten, noise. */
function nextStream(random: Random, byVersion: Record<ProtocolVersion, Pools>): { stream: Stream; valid: Uint8Array[]; damaged: number } {
  const version: ProtocolVersion = random.next() < 0.5 ? 4 : 5;
  const side: Side = (['server', 'any', 'client'] as const)[random.int(3)]!;
  const pool = byVersion[version];
  const body = side === 'client' ? pool.fromServer : pool.any;
  const valid = Array.from({ length: 1 + random.int(5) }, () => body[random.int(POOL)]!);
  if (side === 'server') valid.unshift(pool.connects[random.int(POOL)]!);
  const damaged = random.int(valid.length);
  const frames = random.next() < 0.1 ? [randomBytes(random, random.int(64))] : valid.map((frame, i) => (i === damaged ? mutate(frame, random) : frame));
  const maximumPacketSize = random.next() < 0.2 ? 2 + random.int(256) : undefined;
  return { stream: { side, version, maximumPacketSize, frames }, valid, damaged };
}

describe('decoder fuzzing', () => {
  const byVersion = { 4: pools(4), 5: pools(5) };

  test(`${FRAMES} frames of random and mutated input yield only DecodeError (seed ${SEED})`, () => {
    const random = prng(SEED);
    let frames = 0;
    let rejected = 0;
    let slowestMs = 0;
    const accepted: Record<Side, number> = { server: 0, any: 0, client: 0 };
    const started = performance.now();
    while (frames < FRAMES) {
      const { stream, valid, damaged } = nextStream(random, byVersion);
      frames += stream.frames.length;

      const streamStarted = performance.now();
      const whole = decode(stream, [concat(stream.frames)]);
      if (whole.error !== undefined) rejected++;
      // The same bytes in other chunkings give the same packets and the same error.
      for (let attempt = 0; attempt < 2; attempt++) {
        expect(decode(stream, split(concat(stream.frames), random))).toEqual(whole);
      }
      slowestMs = Math.max(slowestMs, performance.now() - streamStarted);
      // Damage to one frame never changes the frames before it.
      if (stream.frames.length === valid.length) {
        const before = decode({ ...stream, frames: valid.slice(0, damaged) }, [concat(valid.slice(0, damaged))]).packets;
        expect(whole.packets.slice(0, before.length)).toEqual(before);
      }
      for (const packet of whole.packets) expectReencodable(packet, stream.version);
      accepted[stream.side] += whole.packets.length;
    }
    const seconds = (performance.now() - started) / 1000;
    const heapMiB = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
    console.log(
      `fuzz: ${frames} frames (each decoded 3 times), ${rejected} streams rejected, ${Math.round(frames / seconds)} frames/s, ` +
        `packets accepted ${JSON.stringify(accepted)}, slowest stream ${slowestMs.toFixed(1)} ms, heap ${heapMiB} MiB, seed ${SEED}`,
    );
    expect(rejected).toBeGreaterThan(0);
    for (const side of ['server', 'any', 'client'] as const) expect(accepted[side]).toBeGreaterThan(0);
    expect(slowestMs).toBeLessThan(HANG_MS);
  }, 3_600_000);
});
