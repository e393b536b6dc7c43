import { EncodeError, malformed, protocolError } from './errors';
import type { ConnackPacket, ProtocolVersion } from './packet';
import { decodeProperties, encodePacketProperties, propertyFieldSize, writePropertyField } from './property-field';
import { IN_CONNACK } from './property-contexts';
import type { Reader } from './reader';
import { readReasonCode } from './read-reason-codes';
import { VALID_CONNACK_CODES_V4, VALID_REASON_CODES_V5 } from './reason-codes';
import { startPacket, varintLength } from './writer';

/**
 * CONNACK (3.2). A server that does not speak 5.0 answers a 5.0 CONNECT with a 3.1.1 CONNACK,
 * return code 0x01, and closes [MQTT-3.1.2-2]: that two-byte form is read with 3.1.1 rules even
 * when 5.0 is expected, so that the client can tell and fall back.
 */
export function decodeConnack(r: Reader, version: ProtocolVersion): ConnackPacket {
  const flags = r.u8();
  if ((flags & 0xfe) !== 0) throw malformed('CONNACK sets reserved acknowledge flags'); // [MQTT-3.2.2-1]
  // Two bytes in all (no property length after the code): the 3.1.1 form.
  const v4Form = version === 4 || r.remaining() === 1;
  const reasonCode = readReasonCode(r, v4Form ? VALID_CONNACK_CODES_V4 : VALID_REASON_CODES_V5.connack, 'CONNACK');
  const sessionPresent = (flags & 1) === 1;
  // [MQTT-3.2.2-4] (3.1.1), [MQTT-3.2.2-6] (5.0): a refusal never has a session present.
  if (sessionPresent && reasonCode !== 0) throw protocolError('a refusing CONNACK says a session is present');
  const packet: ConnackPacket = { type: 'connack', sessionPresent, reasonCode };
  if (!v4Form) {
    const properties = decodeProperties(r, IN_CONNACK);
    if (properties !== undefined) packet.properties = properties;
  }
  return packet;
}

export function encodeConnack(packet: ConnackPacket, version: ProtocolVersion): Uint8Array {
  const { reasonCode } = packet;
  if ((version === 4 ? VALID_CONNACK_CODES_V4 : VALID_REASON_CODES_V5.connack)[reasonCode] !== 1) {
    throw new EncodeError(`${reasonCode} is not a valid CONNACK ${version === 4 ? 'return' : 'reason'} code`);
  }
  if (packet.sessionPresent === true && reasonCode !== 0) {
    throw new EncodeError('a CONNACK that refuses the connection cannot say a session is present');
  }
  const propertiesEnd = encodePacketProperties(packet.properties, IN_CONNACK, version);
  const remaining = 2 + propertyFieldSize(version, 0, propertiesEnd);
  const buf = startPacket(0x20, remaining);
  let pos = 1 + varintLength(remaining);
  buf[pos++] = packet.sessionPresent === true ? 1 : 0;
  buf[pos++] = reasonCode;
  writePropertyField(buf, pos, version, 0, propertiesEnd);
  return buf;
}
