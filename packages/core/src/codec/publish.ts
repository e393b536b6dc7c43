import { DecodeError, EncodeError, malformed, protocolError } from './errors';
import { checkBinary, checkPacketId, checkQoS, measureString } from './field-checks';
import type { ProtocolVersion, PublishPacket } from './packet';
import { decodeProperties, encodePacketProperties, propertyFieldSize, writePropertyField } from './property-field';
import { IN_PUBLISH } from './property-contexts';
import type { Reader } from './reader';
import { hasWildcard } from './topic-name';
import { MAX_VARINT, startPacket, varintLength, writeString, writeU16 } from './writer';

export function decodePublish(r: Reader, flags: number, version: ProtocolVersion): PublishPacket {
  const qos = (flags >> 1) & 3;
  if (qos === 3) throw malformed('PUBLISH has QoS 3'); // [MQTT-3.3.1-4]
  const dup = (flags & 8) !== 0;
  if (dup && qos === 0) throw malformed('a QoS 0 PUBLISH has DUP set'); // [MQTT-3.3.1-2]
  const topic = r.utf8();
  if (hasWildcard(topic)) {
    throw new DecodeError(0x90 /* Topic Name Invalid */, 'a PUBLISH topic contains a wildcard'); // [MQTT-3.3.2-2]
  }
  const packetId = qos === 0 ? 0 : r.packetId();
  const properties = version === 5 ? decodeProperties(r, IN_PUBLISH) : undefined;
  // An empty topic is allowed only in 5.0 with a Topic Alias (3.3.2.3.4); [MQTT-4.7.3-1]
  if (topic.length === 0 && properties?.topicAlias === undefined) {
    throw protocolError('a PUBLISH has an empty topic and no topic alias');
  }
  const packet: PublishPacket = {
    type: 'publish',
    topic,
    payload: r.rest(),
    qos: qos as 0 | 1 | 2,
    dup,
    retain: (flags & 1) !== 0,
  };
  if (qos !== 0) packet.packetId = packetId;
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

// What the last measurePublish worked out, for encodePublish to write with (no allocation).
let measuredRemaining = 0;
let measuredTopicLength = 0;
let measuredPropertiesEnd = 0;

/**
 * The size in bytes `packet` encodes to, after every check that encoding makes: an invalid
 * PUBLISH throws the same EncodeError here, without a byte written or copied.
 */
export function measurePublish(packet: PublishPacket, version: ProtocolVersion): number {
  const { topic, payload } = packet;
  const qos = checkQoS(packet.qos, 'PUBLISH qos');
  const topicLength = measureString(topic, 'the PUBLISH topic');
  if (hasWildcard(topic)) throw new EncodeError('a PUBLISH topic cannot contain + or #'); // [MQTT-3.3.2-2]
  if (qos !== 0) checkPacketId(packet.packetId, 'a QoS 1 or 2 PUBLISH');
  // [MQTT-3.3.1-2]: a QoS 0 message never carries DUP.
  if (packet.dup === true && qos === 0) throw new EncodeError('a QoS 0 PUBLISH cannot have dup set');
  checkBinary(payload, 'the PUBLISH payload', MAX_VARINT);
  const propertiesEnd = encodePacketProperties(packet.properties, IN_PUBLISH, version);
  if (topicLength === 0 && (version === 4 || packet.properties?.topicAlias === undefined)) {
    throw new EncodeError('a PUBLISH topic cannot be empty without a topic alias'); // [MQTT-4.7.3-1]
  }
  const remaining =
    2 + topicLength + (qos === 0 ? 0 : 2) + propertyFieldSize(version, 0, propertiesEnd) + payload.length;
  if (remaining > MAX_VARINT) throw new EncodeError('the packet is larger than MQTT allows (256 MiB)');
  measuredRemaining = remaining;
  measuredTopicLength = topicLength;
  measuredPropertiesEnd = propertiesEnd;
  return 1 + varintLength(remaining) + remaining;
}

export function encodePublish(packet: PublishPacket, version: ProtocolVersion): Uint8Array {
  measurePublish(packet, version);
  const remaining = measuredRemaining;
  const propertiesEnd = measuredPropertiesEnd;
  const firstByte = 0x30 | (packet.dup === true ? 8 : 0) | (packet.qos << 1) | (packet.retain === true ? 1 : 0);
  const buf = startPacket(firstByte, remaining);
  let pos = writeString(buf, 1 + varintLength(remaining), packet.topic, measuredTopicLength);
  if (packet.qos !== 0) pos = writeU16(buf, pos, packet.packetId as number);
  pos = writePropertyField(buf, pos, version, 0, propertiesEnd);
  buf.set(packet.payload, pos);
  return buf;
}
