import { EncodeError, malformed, protocolError } from './errors';
import { checkPacketId, checkQoS, measureString } from './field-checks';
import type { ProtocolVersion, SubackPacket, SubscribePacket, Subscription } from './packet';
import { decodeProperties, encodePacketProperties, propertyFieldSize, writePropertyField } from './property-field';
import { IN_SUBACK, IN_SUBSCRIBE } from './property-contexts';
import type { Reader } from './reader';
import { readReasonCodes } from './read-reason-codes';
import { VALID_REASON_CODES_V5, VALID_SUBACK_CODES_V4 } from './reason-codes';
import { startPacket, varintLength, writeString, writeU16 } from './writer';

const NO_LOCAL = 0x04;
const RETAIN_AS_PUBLISHED = 0x08;

/**
 * SUBSCRIBE (3.8). Topic filters are passed on as they are: whether a filter is valid is the
 * server's decision per filter, answered in SUBACK, not a reason to drop the connection.
 */
export function decodeSubscribe(r: Reader, version: ProtocolVersion): SubscribePacket {
  const packetId = r.packetId();
  const properties = version === 5 ? decodeProperties(r, IN_SUBSCRIBE) : undefined;
  const subscriptions: Subscription[] = [];
  // Reserved option bits: 2-7 in 3.1.1 [MQTT-3.8.3-4], 6-7 in 5.0 [MQTT-3.8.3-5].
  const reserved = version === 4 ? 0xfc : 0xc0;
  while (r.remaining() > 0) {
    const topicFilter = r.utf8();
    const options = r.u8();
    if ((options & reserved) !== 0) throw malformed('a subscription sets reserved option bits');
    const qos = options & 3;
    if (qos === 3) throw malformed('a subscription asks for QoS 3'); // [MQTT-3.8.3-4] (3.1.1)
    if (version === 4) {
      subscriptions.push({ topicFilter, qos: qos as 0 | 1 | 2 });
      continue;
    }
    const retainHandling = (options >> 4) & 3;
    if (retainHandling === 3) throw protocolError('a subscription asks for retain handling 3');
    subscriptions.push({
      topicFilter,
      qos: qos as 0 | 1 | 2,
      noLocal: (options & NO_LOCAL) !== 0,
      retainAsPublished: (options & RETAIN_AS_PUBLISHED) !== 0,
      retainHandling: retainHandling as 0 | 1 | 2,
    });
  }
  if (subscriptions.length === 0) throw protocolError('SUBSCRIBE has no topic filter'); // [MQTT-3.8.3-3]
  const packet: SubscribePacket = { type: 'subscribe', packetId, subscriptions };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function encodeSubscribe(packet: SubscribePacket, version: ProtocolVersion): Uint8Array {
  const packetId = checkPacketId(packet.packetId, 'SUBSCRIBE');
  const { subscriptions } = packet;
  if (!Array.isArray(subscriptions) || subscriptions.length === 0) {
    throw new EncodeError('SUBSCRIBE needs at least one subscription'); // [MQTT-3.8.3-3]
  }
  const lengths: number[] = [];
  const options: number[] = [];
  let remaining = 2;
  for (const subscription of subscriptions) {
    const length = measureString(subscription.topicFilter, 'a topic filter');
    if (length === 0) throw new EncodeError('a topic filter cannot be empty'); // [MQTT-4.7.3-1]
    lengths.push(length);
    options.push(subscriptionOptions(subscription, version));
    remaining += 3 + length;
  }
  const propertiesEnd = encodePacketProperties(packet.properties, IN_SUBSCRIBE, version);
  remaining += propertyFieldSize(version, 0, propertiesEnd);
  // SUBSCRIBE's fixed header flags are 0010 [MQTT-3.8.1-1].
  const buf = startPacket(0x82, remaining);
  let pos = writeU16(buf, 1 + varintLength(remaining), packetId);
  pos = writePropertyField(buf, pos, version, 0, propertiesEnd);
  for (let i = 0; i < subscriptions.length; i++) {
    pos = writeString(buf, pos, subscriptions[i].topicFilter, lengths[i]);
    buf[pos++] = options[i];
  }
  return buf;
}

function subscriptionOptions(subscription: Subscription, version: ProtocolVersion): number {
  const qos = checkQoS(subscription.qos, 'a subscription qos');
  const { noLocal = false, retainAsPublished = false, retainHandling = 0 } = subscription;
  if (retainHandling !== 0 && retainHandling !== 1 && retainHandling !== 2) {
    throw new EncodeError('retainHandling must be 0, 1 or 2');
  }
  if (version === 4) {
    if (noLocal || retainAsPublished || retainHandling !== 0) {
      throw new EncodeError('noLocal, retainAsPublished and retainHandling need MQTT 5.0');
    }
    return qos;
  }
  return qos | (noLocal ? NO_LOCAL : 0) | (retainAsPublished ? RETAIN_AS_PUBLISHED : 0) | (retainHandling << 4);
}

/** SUBACK (3.9): one granted QoS or failure code per filter of the SUBSCRIBE. */
export function decodeSuback(r: Reader, version: ProtocolVersion): SubackPacket {
  const packetId = r.packetId();
  const properties = version === 5 ? decodeProperties(r, IN_SUBACK) : undefined;
  const reasonCodes = readReasonCodes(r, version === 4 ? VALID_SUBACK_CODES_V4 : VALID_REASON_CODES_V5.suback, 'SUBACK');
  const packet: SubackPacket = { type: 'suback', packetId, reasonCodes };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function encodeSuback(packet: SubackPacket, version: ProtocolVersion): Uint8Array {
  const packetId = checkPacketId(packet.packetId, 'SUBACK');
  const { reasonCodes } = packet;
  const valid = version === 4 ? VALID_SUBACK_CODES_V4 : VALID_REASON_CODES_V5.suback;
  if (!Array.isArray(reasonCodes) || reasonCodes.length === 0) {
    throw new EncodeError('SUBACK needs one reason code per subscription');
  }
  for (const code of reasonCodes) {
    if (valid[code] !== 1) throw new EncodeError(`${code} is not a valid SUBACK code`);
  }
  return encodeCodeList(0x90, packetId, reasonCodes, packet.properties, IN_SUBACK, version);
}

/** SUBACK and UNSUBACK: packet id, properties (5.0), then one byte per code. */
export function encodeCodeList(
  firstByte: number,
  packetId: number,
  codes: number[],
  properties: object | undefined,
  context: number,
  version: ProtocolVersion,
): Uint8Array {
  const propertiesEnd = encodePacketProperties(properties, context, version);
  const remaining = 2 + propertyFieldSize(version, 0, propertiesEnd) + codes.length;
  const buf = startPacket(firstByte, remaining);
  let pos = writeU16(buf, 1 + varintLength(remaining), packetId);
  pos = writePropertyField(buf, pos, version, 0, propertiesEnd);
  for (const code of codes) buf[pos++] = code;
  return buf;
}
