import * as codecV5 from './codec-v5';
import { encodeConnack } from './connack';
import { encodeConnect } from './connect';
import { encodeReasonPacket } from './disconnect-auth';
import { EncodeError } from './errors';
import { checkVersion } from './field-checks';
import type { Packet, ProtocolVersion } from './packet';
import { encodeAck } from './pub-ack';
import { usePropertyCodec } from './property-field';
import { encodePublish } from './publish';
import { encodeSuback, encodeSubscribe } from './subscribe';
import { encodeUnsuback, encodeUnsubscribe } from './unsubscribe';
import { startPacket } from './writer';

// The whole codec reads and writes 5.0 properties from the start (a client loads them lazily).
usePropertyCodec(codecV5);

/**
 * Encodes one packet for `version` into a new byte array: the whole frame, fixed header included.
 * Whatever cannot be encoded as valid MQTT for that version is refused with an `EncodeError`;
 * nothing invalid is ever written. Small packets are views of a shared slab (see `byteOffset`).
 */
export function encode(packet: Packet, version: ProtocolVersion): Uint8Array {
  checkVersion(version);
  if (packet === null || typeof packet !== 'object') throw new EncodeError('encode() needs a packet object');
  switch (packet.type) {
    case 'publish':
      return encodePublish(packet, version);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return encodeAck(packet, version);
    case 'connect':
      return encodeConnect(packet, version);
    case 'connack':
      return encodeConnack(packet, version);
    case 'subscribe':
      return encodeSubscribe(packet, version);
    case 'suback':
      return encodeSuback(packet, version);
    case 'unsubscribe':
      return encodeUnsubscribe(packet, version);
    case 'unsuback':
      return encodeUnsuback(packet, version);
    case 'pingreq':
      return startPacket(0xc0, 0);
    case 'pingresp':
      return startPacket(0xd0, 0);
    case 'disconnect':
    case 'auth':
      return encodeReasonPacket(packet, version);
    default:
      throw new EncodeError(`unknown packet type ${String((packet as { type: unknown }).type)}`);
  }
}
