import { EncodeError, protocolError } from './errors';
import { checkNoProperties, checkPacketId, measureString } from './field-checks';
import type { ProtocolVersion, UnsubackPacket, UnsubscribePacket } from './packet';
import { decodeProperties, encodePacketProperties, propertyFieldSize, writePropertyField } from './property-field';
import { IN_UNSUBACK, IN_UNSUBSCRIBE } from './property-contexts';
import type { Reader } from './reader';
import { readReasonCodes } from './read-reason-codes';
import { VALID_REASON_CODES_V5 } from './reason-codes';
import { encodeCodeList } from './subscribe';
import { startPacket, varintLength, writeString, writeU16 } from './writer';

/** UNSUBSCRIBE (3.10). */
export function decodeUnsubscribe(r: Reader, version: ProtocolVersion): UnsubscribePacket {
  const packetId = r.packetId();
  const properties = version === 5 ? decodeProperties(r, IN_UNSUBSCRIBE) : undefined;
  const topicFilters: string[] = [];
  while (r.remaining() > 0) topicFilters.push(r.utf8());
  if (topicFilters.length === 0) throw protocolError('UNSUBSCRIBE has no topic filter'); // [MQTT-3.10.3-2]
  const packet: UnsubscribePacket = { type: 'unsubscribe', packetId, topicFilters };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function encodeUnsubscribe(packet: UnsubscribePacket, version: ProtocolVersion): Uint8Array {
  const packetId = checkPacketId(packet.packetId, 'UNSUBSCRIBE');
  const { topicFilters } = packet;
  if (!Array.isArray(topicFilters) || topicFilters.length === 0) {
    throw new EncodeError('UNSUBSCRIBE needs at least one topic filter'); // [MQTT-3.10.3-2]
  }
  const lengths = topicFilters.map((filter) => measureString(filter, 'a topic filter'));
  let remaining = 2;
  for (const length of lengths) {
    if (length === 0) throw new EncodeError('a topic filter cannot be empty'); // [MQTT-4.7.3-1]
    remaining += 2 + length;
  }
  const propertiesEnd = encodePacketProperties(packet.properties, IN_UNSUBSCRIBE, version);
  remaining += propertyFieldSize(version, 0, propertiesEnd);
  // UNSUBSCRIBE's fixed header flags are 0010 [MQTT-3.10.1-1].
  const buf = startPacket(0xa2, remaining);
  let pos = writeU16(buf, 1 + varintLength(remaining), packetId);
  pos = writePropertyField(buf, pos, version, 0, propertiesEnd);
  for (let i = 0; i < topicFilters.length; i++) pos = writeString(buf, pos, topicFilters[i], lengths[i]);
  return buf;
}

/** UNSUBACK (3.11): in 3.1.1 just the packet id; in 5.0 one reason code per filter. */
export function decodeUnsuback(r: Reader, version: ProtocolVersion): UnsubackPacket {
  const packetId = r.packetId();
  if (version === 4) return { type: 'unsuback', packetId };
  const properties = decodeProperties(r, IN_UNSUBACK);
  const reasonCodes = readReasonCodes(r, VALID_REASON_CODES_V5.unsuback, 'UNSUBACK');
  const packet: UnsubackPacket = { type: 'unsuback', packetId, reasonCodes };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function encodeUnsuback(packet: UnsubackPacket, version: ProtocolVersion): Uint8Array {
  const packetId = checkPacketId(packet.packetId, 'UNSUBACK');
  const reasonCodes = packet.reasonCodes ?? [];
  if (!Array.isArray(reasonCodes)) throw new EncodeError('UNSUBACK reasonCodes must be an array');
  if (version === 4) {
    // 3.1.1 has no codes here: success is implied, anything else cannot be expressed.
    if (reasonCodes.some((code) => code !== 0)) {
      throw new EncodeError('UNSUBACK cannot carry failure reason codes in MQTT 3.1.1');
    }
    checkNoProperties(packet.properties, 'UNSUBACK');
    const buf = startPacket(0xb0, 2);
    writeU16(buf, 2, packetId);
    return buf;
  }
  if (reasonCodes.length === 0) throw new EncodeError('a 5.0 UNSUBACK needs one reason code per filter');
  for (const code of reasonCodes) {
    if (VALID_REASON_CODES_V5.unsuback[code] !== 1) throw new EncodeError(`${code} is not a valid UNSUBACK code`);
  }
  return encodeCodeList(0xb0, packetId, reasonCodes, packet.properties, IN_UNSUBACK, version);
}
