import * as codecV5 from './codec-v5';
import { decodeConnack } from './connack';
import { decodeConnect } from './connect';
import { decodeReasonPacket } from './disconnect-auth';
import { FrameDecoder, type PacketDecoderOptions } from './frame-decoder';
import type { Packet, ProtocolVersion } from './packet';
import {
  CONNACK,
  CONNECT,
  DISCONNECT,
  PINGREQ,
  PINGRESP,
  PUBACK,
  PUBCOMP,
  PUBLISH,
  PUBREC,
  PUBREL,
  SUBACK,
  SUBSCRIBE,
  UNSUBACK,
  UNSUBSCRIBE,
} from './packet-types';
import { decodeAck } from './pub-ack';
import { usePropertyCodec } from './property-field';
import { decodePublish } from './publish';
import type { Reader } from './reader';
import { decodeSuback, decodeSubscribe } from './subscribe';
import { decodeUnsuback, decodeUnsubscribe } from './unsubscribe';

// The whole codec reads and writes 5.0 properties from the start (a client loads them lazily).
usePropertyCodec(codecV5);

/** Every control packet, whichever side sent it. */
export function decodeAnyBody(type: number, flags: number, r: Reader, version: ProtocolVersion): Packet {
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
    case CONNECT:
      return decodeConnect(r);
    case CONNACK:
      return decodeConnack(r, version);
    case SUBSCRIBE:
      return decodeSubscribe(r, version);
    case SUBACK:
      return decodeSuback(r, version);
    case UNSUBSCRIBE:
      return decodeUnsubscribe(r, version);
    case UNSUBACK:
      return decodeUnsuback(r, version);
    case PINGREQ:
      return { type: 'pingreq' };
    case PINGRESP:
      return { type: 'pingresp' };
    case DISCONNECT:
      return decodeReasonPacket(r, 'disconnect', version);
    default:
      return decodeReasonPacket(r, 'auth', version);
  }
}

/**
 * Turns a byte stream into packets: `push` each chunk as it arrives and get back the packets it
 * completed. A frame may span chunks and a chunk may hold many frames. A PUBLISH payload is a
 * view into the chunk it arrived in (one copy only when its frame spanned chunks), so do not
 * reuse a chunk's memory after pushing it.
 *
 * Errors: `push` throws only `DecodeError`. MQTT frames carry no marker to resynchronise on, so
 * after an error the decoder refuses further input until `reset()`; the connection should close.
 */
export class PacketDecoder extends FrameDecoder {
  constructor(options: PacketDecoderOptions = {}) {
    super(options, decodeAnyBody);
  }
}
