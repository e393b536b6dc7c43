import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encode, PacketDecoder, type Packet, type ProtocolVersion } from '@courier/core';
import { chunkings, concat, packetArbitrary, toHex } from './arbitraries';

const RUNS = Number(process.env.COURIER_PROPERTY_RUNS ?? 400);

function decodeAll(version: ProtocolVersion, chunks: Uint8Array[]): Packet[] {
  const decoder = new PacketDecoder({ version });
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

describe.each([4, 5] as const)('MQTT %s round trips', (version) => {
  test('every valid packet decodes to exactly what was encoded', () => {
    fc.assert(
      fc.property(packetArbitrary(version), (packet) => {
        const decoder = new PacketDecoder(packet.type === 'connect' ? {} : { version });
        expect(decoder.push(encode(packet, version))).toEqual([packet]);
      }),
      { numRuns: RUNS, seed: 20261124 + version },
    );
  });

  test('re-encoding a decoded packet gives the same bytes (one canonical form)', () => {
    fc.assert(
      fc.property(packetArbitrary(version), (packet) => {
        const bytes = encode(packet, version);
        const [decoded] = new PacketDecoder({ version }).push(bytes.slice());
        expect(toHex(encode(decoded as Packet, version))).toBe(toHex(bytes));
      }),
      { numRuns: RUNS, seed: 7 + version },
    );
  });

  test('a stream of packets decodes the same however it is split into chunks', () => {
    const stream = fc
      .array(packetArbitrary(version).filter((p) => p.type !== 'connect'), { minLength: 1, maxLength: 6 })
      .chain((packets) => {
        const bytes = concat(packets.map((p) => encode(p, version)));
        return fc.tuple(fc.constant(packets), chunkings(bytes));
      });
    fc.assert(
      fc.property(stream, ([packets, chunks]) => {
        expect(decodeAll(version, chunks)).toEqual(packets);
      }),
      { numRuns: RUNS, seed: 99 + version },
    );
  });
});
