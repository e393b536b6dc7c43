// Differential tests against mqtt-packet 9.0.2, the codec MQTT.js uses: the same generated
// packets encoded by both give identical bytes, and bytes from either decode to the same packet
// in the other. Where both write a valid but different form, that case is named below.
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { describe, expect, test } from 'vitest';
import { encode, PacketDecoder, type Packet, type ProtocolVersion } from '@courier/core';
import { packetArbitrary, toHex } from './arbitraries';
import { fromMqttPacket, toMqttPacket } from './mqtt-packet-model';

const RUNS = Number(process.env.COURIER_PROPERTY_RUNS ?? 400);

/**
 * Where mqtt-packet writes a longer form than ours, both valid. Returns why, or undefined when
 * the bytes must be identical. Mosquitto writes the short forms, as we do.
 */
function knownDifference(packet: Packet, version: ProtocolVersion): string | undefined {
  if (version === 4 || packet.type === 'pingreq' || packet.type === 'pingresp') return undefined;
  const noProperties = !('properties' in packet) || packet.properties === undefined;
  if ((packet.type === 'disconnect' || packet.type === 'auth') && noProperties) {
    // 3.14.2.1, 3.15.2.1: reason 0 may be left out with the property length; 3.14.2.2.1: so may
    // a zero property length after a DISCONNECT reason code. mqtt-packet writes both always.
    return 'mqtt-packet writes DISCONNECT and AUTH in full';
  }
  if (
    (packet.type === 'puback' || packet.type === 'pubrec' || packet.type === 'pubrel' || packet.type === 'pubcomp') &&
    packet.reasonCode !== 0 &&
    noProperties
  ) {
    // 3.4.2.2.1 and alike: below a remaining length of 4 there is no property length.
    return 'mqtt-packet writes a zero property length after an ack reason code';
  }
  return undefined;
}

/** Runs mqtt-packet's parser on one frame. */
function mqttParse(bytes: Uint8Array, version: ProtocolVersion): Record<string, unknown> {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const packets: Record<string, unknown>[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p) => packets.push(p as unknown as Record<string, unknown>));
  parser.on('error', (e: Error) => errors.push(e));
  parser.parse(Buffer.from(bytes));
  if (errors.length > 0) throw errors[0];
  expect(packets).toHaveLength(1);
  return packets[0]!;
}

const arbitrary = (version: ProtocolVersion) => packetArbitrary(version, { mqttPacketModel: true });

describe.each([4, 5] as const)('against mqtt-packet, MQTT %s', (version) => {
  test('both encoders write the same bytes for the same packet', () => {
    let identical = 0;
    fc.assert(
      fc.property(arbitrary(version), (packet) => {
        const ours = encode(packet, version);
        const theirs = mqttPacket.generate(toMqttPacket(packet) as never, { protocolVersion: version });
        if (knownDifference(packet, version) === undefined) {
          expect(toHex(ours)).toBe(theirs.toString('hex'));
          identical++;
        } else {
          // Different but both valid: each decodes the other's form to the same packet.
          const decoder = new PacketDecoder({ version });
          expect(decoder.push(Uint8Array.from(theirs))).toEqual([packet]);
        }
      }),
      { numRuns: RUNS, seed: 31 + version },
    );
    expect(identical).toBeGreaterThan(RUNS * 0.8);
  });

  test('bytes written by mqtt-packet decode to the packet they were made from', () => {
    fc.assert(
      fc.property(arbitrary(version), (packet) => {
        const theirs = mqttPacket.generate(toMqttPacket(packet) as never, { protocolVersion: version });
        const decoder = new PacketDecoder(packet.type === 'connect' ? {} : { version });
        expect(decoder.push(Uint8Array.from(theirs))).toEqual([packet]);
      }),
      { numRuns: RUNS, seed: 57 + version },
    );
  });

  test('bytes written by Courier parse in mqtt-packet to the packet they were made from', () => {
    fc.assert(
      fc.property(arbitrary(version), (packet) => {
        // mqtt-packet's parser insists on AUTH's reason byte, which 3.15.2.1 lets a success omit.
        fc.pre(!(packet.type === 'auth' && packet.reasonCode === 0 && packet.properties === undefined));
        expect(fromMqttPacket(mqttParse(encode(packet, version), version), version)).toEqual(packet);
      }),
      { numRuns: RUNS, seed: 83 + version },
    );
  });
});
