import { DecodeError, EncodeError, malformed } from './errors';
import {
  checkBinary,
  checkQoS,
  checkUint,
  checkVersion,
  measureString,
} from './field-checks';
import type { ConnectPacket, ProtocolVersion, QoS, Will } from './packet';
import { decodeProperties, encodePacketProperties, propertyFieldSize, writePropertyField } from './property-field';
import { IN_CONNECT, IN_WILL } from './property-contexts';
import type { Reader } from './reader';
import { hasWildcard } from './topic-name';
import { startPacket, varintLength, writeBinary, writeString, writeU16 } from './writer';

const USERNAME = 0x80;
const PASSWORD = 0x40;
const WILL_RETAIN = 0x20;
const WILL_QOS = 0x18;
const WILL = 0x04;
const CLEAN = 0x02;
const RESERVED = 0x01;

/** CONNECT (3.1). The protocol level is read here: the decoder does not know it before. */
export function decodeConnect(r: Reader): ConnectPacket {
  const name = r.utf8();
  const level = r.u8();
  if (name !== 'MQTT' || (level !== 4 && level !== 5)) {
    // [MQTT-3.1.2-2]: an unsupported level is answered with 0x01 (3.1.1) or 0x84 (5.0).
    throw new DecodeError(0x84 /* Unsupported Protocol Version */, 'CONNECT asks for a protocol other than MQTT 3.1.1 or 5.0');
  }
  const version: ProtocolVersion = level;
  const flags = r.u8();
  if ((flags & RESERVED) !== 0) throw malformed('the reserved CONNECT flag is set'); // [MQTT-3.1.2-3]
  const willQoS = (flags & WILL_QOS) >> 3;
  if ((flags & WILL) === 0 && (flags & (WILL_QOS | WILL_RETAIN)) !== 0) {
    throw malformed('CONNECT sets will QoS or will retain without a will'); // [MQTT-3.1.2-11], [MQTT-3.1.2-13]
  }
  if (willQoS === 3) throw malformed('CONNECT asks for will QoS 3'); // [MQTT-3.1.2-12]
  if (version === 4 && (flags & PASSWORD) !== 0 && (flags & USERNAME) === 0) {
    throw malformed('CONNECT has a password without a user name'); // [MQTT-3.1.2-22]
  }
  const keepAlive = r.u16();
  const properties = version === 5 ? decodeProperties(r, IN_CONNECT) : undefined;
  const packet: ConnectPacket = {
    type: 'connect',
    protocolVersion: version,
    clientId: r.utf8(),
    clean: (flags & CLEAN) !== 0,
    keepAlive,
  };
  if ((flags & WILL) !== 0) {
    const willProperties = version === 5 ? decodeProperties(r, IN_WILL) : undefined;
    const topic = r.utf8();
    if (topic.length === 0 || hasWildcard(topic)) {
      throw new DecodeError(0x90 /* Topic Name Invalid */, 'the will topic is empty or contains a wildcard');
    }
    const will: Will = { topic, payload: r.binary(), qos: willQoS as QoS, retain: (flags & WILL_RETAIN) !== 0 };
    if (willProperties !== undefined) will.properties = willProperties;
    packet.will = will;
  }
  if ((flags & USERNAME) !== 0) packet.username = r.utf8();
  if ((flags & PASSWORD) !== 0) packet.password = r.binary();
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function encodeConnect(packet: ConnectPacket, version: ProtocolVersion): Uint8Array {
  if (checkVersion(packet.protocolVersion) !== version) {
    throw new EncodeError('CONNECT protocolVersion differs from the version it is encoded for');
  }
  const { will, username, password } = packet;
  const keepAlive = checkUint(packet.keepAlive, 0xffff, 'CONNECT keepAlive');
  const clientIdLength = measureString(packet.clientId, 'the client id');
  let flags = packet.clean === true ? CLEAN : 0;
  let remaining = 10 + 2 + clientIdLength; // "MQTT", level, flags, keep alive; client id

  // Connect properties, then will properties, share the scratch buffer one after the other.
  const propertiesEnd = encodePacketProperties(packet.properties, IN_CONNECT, version);
  let willPropertiesEnd = propertiesEnd;
  remaining += propertyFieldSize(version, 0, propertiesEnd);
  let willTopicLength = 0;
  if (will !== undefined) {
    willTopicLength = measureString(will.topic, 'the will topic');
    if (willTopicLength === 0 || hasWildcard(will.topic)) {
      throw new EncodeError('the will topic must be a topic name: not empty, no + or #');
    }
    checkBinary(will.payload, 'the will payload', 0xffff);
    flags |= WILL | (checkQoS(will.qos, 'the will qos') << 3) | (will.retain === true ? WILL_RETAIN : 0);
    remaining += 2 + willTopicLength + 2 + will.payload.length;
    willPropertiesEnd = encodePacketProperties(will.properties, IN_WILL, version, propertiesEnd);
    remaining += propertyFieldSize(version, propertiesEnd, willPropertiesEnd);
  }
  let usernameLength = 0;
  if (username !== undefined) {
    usernameLength = measureString(username, 'the user name');
    flags |= USERNAME;
    remaining += 2 + usernameLength;
  }
  if (password !== undefined) {
    if (version === 4 && username === undefined) {
      throw new EncodeError('MQTT 3.1.1 allows a password only with a user name'); // [MQTT-3.1.2-22]
    }
    checkBinary(password, 'the password', 0xffff);
    flags |= PASSWORD;
    remaining += 2 + password.length;
  }

  const buf = startPacket(0x10, remaining);
  let pos = 1 + varintLength(remaining);
  pos = writeU16(buf, pos, 4);
  buf[pos++] = 0x4d; // M
  buf[pos++] = 0x51; // Q
  buf[pos++] = 0x54; // T
  buf[pos++] = 0x54; // T
  buf[pos++] = version;
  buf[pos++] = flags;
  pos = writeU16(buf, pos, keepAlive);
  pos = writePropertyField(buf, pos, version, 0, propertiesEnd);
  pos = writeString(buf, pos, packet.clientId, clientIdLength);
  if (will !== undefined) {
    pos = writePropertyField(buf, pos, version, propertiesEnd, willPropertiesEnd);
    pos = writeString(buf, pos, will.topic, willTopicLength);
    pos = writeBinary(buf, pos, will.payload);
  }
  if (username !== undefined) pos = writeString(buf, pos, username, usernameLength);
  if (password !== undefined) writeBinary(buf, pos, password);
  return buf;
}
