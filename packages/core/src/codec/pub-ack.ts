import { checkPacketId, checkReasonCode } from './field-checks';
import type { AckPacket, ProtocolVersion } from './packet';
import { copyProperties, decodeProperties, encodePacketProperties } from './property-field';
import { IN_ACK } from './property-contexts';
import type { Reader } from './reader';
import { readReasonCode } from './read-reason-codes';
import { VALID_REASON_CODES_V5 } from './reason-codes';
import { startPacket, varintLength, writeU16, writeVarint } from './writer';

export type AckType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp';

/** PUBACK (3.4), PUBREC (3.5), PUBREL (3.6), PUBCOMP (3.7). */
export function decodeAck<T extends AckType>(r: Reader, type: T, version: ProtocolVersion): AckPacket<T> {
  const packetId = r.packetId();
  let reasonCode = 0;
  let properties;
  // In 5.0 the reason code may be left out when it is 0, and the property length when there are
  // no properties (3.4.2.1, 3.4.2.2.1): a remaining length of 2 or 3 says so.
  if (version === 5 && r.remaining() > 0) {
    reasonCode = readReasonCode(r, VALID_REASON_CODES_V5[type], ACK_NAMES[type]);
    if (r.remaining() > 0) properties = decodeProperties(r, IN_ACK);
  }
  const packet: AckPacket<T> = { type, packetId, reasonCode };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function encodeAck(packet: AckPacket<AckType>, version: ProtocolVersion): Uint8Array {
  const name = ACK_NAMES[packet.type];
  const packetId = checkPacketId(packet.packetId, name);
  const reasonCode = checkReasonCode(packet.reasonCode, version, VALID_REASON_CODES_V5[packet.type], name);
  const propertiesLength = encodePacketProperties(packet.properties, IN_ACK, version);
  // The shortest form: drop the property length without properties, and the reason code too when
  // it is 0 (3.4.2.1).
  const tail =
    propertiesLength > 0 ? 1 + varintLength(propertiesLength) + propertiesLength : reasonCode !== 0 ? 1 : 0;
  // PUBREL's fixed header flags are 0010 [MQTT-3.6.1-1].
  const firstByte = ACK_FIRST_BYTE[packet.type];
  const remaining = 2 + tail;
  const buf = startPacket(firstByte, remaining);
  let pos = writeU16(buf, 1 + varintLength(remaining), packetId);
  if (tail > 0) {
    buf[pos++] = reasonCode;
    if (propertiesLength > 0) {
      pos = writeVarint(buf, pos, propertiesLength);
      copyProperties(buf, pos, 0, propertiesLength);
    }
  }
  return buf;
}

const ACK_FIRST_BYTE = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const;
const ACK_NAMES = { puback: 'PUBACK', pubrec: 'PUBREC', pubrel: 'PUBREL', pubcomp: 'PUBCOMP' } as const;
