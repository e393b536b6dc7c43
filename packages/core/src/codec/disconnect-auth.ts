import { EncodeError } from './errors';
import { checkReasonCode } from './field-checks';
import type { AuthPacket, DisconnectPacket, ProtocolVersion } from './packet';
import { copyProperties, decodeProperties, encodePacketProperties } from './property-field';
import { IN_AUTH, IN_DISCONNECT } from './property-contexts';
import type { Reader } from './reader';
import { readReasonCode } from './read-reason-codes';
import { VALID_REASON_CODES_V5 } from './reason-codes';
import { startPacket, varintLength, writeVarint } from './writer';

type ReasonPacket = DisconnectPacket | AuthPacket;

/**
 * DISCONNECT (3.14) and AUTH (3.15, 5.0 only): an optional reason code and properties. An
 * empty body means reason 0; a body of one byte has no property length (3.14.2.2.1).
 */
export function decodeReasonPacket<T extends ReasonPacket['type']>(
  r: Reader,
  type: T,
  version: ProtocolVersion,
): Extract<ReasonPacket, { type: T }> {
  const packet = { type, reasonCode: 0 } as ReasonPacket;
  if (version === 5 && r.remaining() > 0) {
    packet.reasonCode = readReasonCode(r, VALID_REASON_CODES_V5[type], type.toUpperCase());
    if (r.remaining() > 0) {
      const properties = decodeProperties(r, type === 'auth' ? IN_AUTH : IN_DISCONNECT);
      if (properties !== undefined) packet.properties = properties;
    }
  }
  return packet as Extract<ReasonPacket, { type: T }>;
}

export function encodeReasonPacket(packet: ReasonPacket, version: ProtocolVersion): Uint8Array {
  const isAuth = packet.type === 'auth';
  const name = isAuth ? 'AUTH' : 'DISCONNECT';
  if (isAuth && version === 4) throw new EncodeError('AUTH does not exist in MQTT 3.1.1');
  const reasonCode = checkReasonCode(packet.reasonCode, version, VALID_REASON_CODES_V5[packet.type], name);
  const propertiesLength = encodePacketProperties(packet.properties, isAuth ? IN_AUTH : IN_DISCONNECT, version);
  // The shortest form: no body at all for reason 0 without properties (3.14.2.1, 3.15.2.1).
  // DISCONNECT may also drop a zero property length (3.14.2.2.1); AUTH has no such rule.
  const empty = reasonCode === 0 && propertiesLength === 0;
  const withPropertyLength = propertiesLength > 0 || (isAuth && !empty);
  const remaining = empty ? 0 : withPropertyLength ? 1 + varintLength(propertiesLength) + propertiesLength : 1;
  const buf = startPacket(isAuth ? 0xf0 : 0xe0, remaining);
  if (!empty) {
    const pos = 1 + varintLength(remaining);
    buf[pos] = reasonCode;
    if (withPropertyLength) copyProperties(buf, writeVarint(buf, pos + 1, propertiesLength), 0, propertiesLength);
  }
  return buf;
}
