// The halves of the codec a client needs: it encodes only what a client sends and decodes only
// what a server sends, so that a client's bundle carries no server-side code.
import { decodeConnack } from './connack';
import { encodeConnect } from './connect';
import { decodeReasonPacket, encodeReasonPacket } from './disconnect-auth';
import { EncodeError, protocolError } from './errors';
import { checkVersion } from './field-checks';
import type { Packet, ProtocolVersion } from './packet';
import { AUTH, CONNACK, DISCONNECT, PINGRESP, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL, SUBACK, UNSUBACK } from './packet-types';
import { decodeAck, encodeAck } from './pub-ack';
import { decodePublish, encodePublish } from './publish';
import type { Reader } from './reader';
import { decodeSuback, encodeSubscribe } from './subscribe';
import { decodeUnsuback, encodeUnsubscribe } from './unsubscribe';
import { startPacket } from './writer';

/** A packet from a server: anything a server never sends is a protocol error. */
export function decodeFromServer(type: number, flags: number, r: Reader, version: ProtocolVersion): Packet {
  switch (type) {
    case PUBLISH:
      return decodePublish(r, flags, version);
    case PUBACK:
      return decodeAck(r, 'puback', version);
    case PUBREC:
      return decodeAck(r, 'pubrec', version);
    case PUBREL:
      return decodeAck(r, 'pubrel', version);
    case PUBCOMP:
      return decodeAck(r, 'pubcomp', version);
    case CONNACK:
      return decodeConnack(r, version);
    case SUBACK:
      return decodeSuback(r, version);
    case UNSUBACK:
      return decodeUnsuback(r, version);
    case PINGRESP:
      return { type: 'pingresp' };
    case DISCONNECT:
      return decodeReasonPacket(r, 'disconnect', version);
    case AUTH:
      return decodeReasonPacket(r, 'auth', version);
    default:
      throw protocolError(`a server never sends packet type ${type}`);
  }
}

/** A packet a client sends, encoded as `encode` would. */
export function encodeFromClient(packet: Packet, version: ProtocolVersion): Uint8Array {
  checkVersion(version);
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
    case 'subscribe':
      return encodeSubscribe(packet, version);
    case 'unsubscribe':
      return encodeUnsubscribe(packet, version);
    case 'pingreq':
      return startPacket(0xc0, 0);
    case 'disconnect':
    case 'auth':
      return encodeReasonPacket(packet, version);
    default:
      throw new EncodeError(`a client never sends ${packet.type.toUpperCase()}`);
  }
}
