import { MqttError } from '../errors';
import type { Packet } from './packet';

/**
 * The bytes received are not a valid MQTT packet. `reasonCode` is the MQTT 5.0 reason code the
 * receiver should close the connection with (0x81 malformed, 0x82 protocol error, 0x95 packet
 * too large, ...). The decoder throws nothing else, whatever the input.
 */
export class DecodeError extends MqttError {
  readonly reasonCode: number;
  /**
   * Packets that were complete in the same chunk before the bad one, so that a caller can still
   * act on them (settle the PUBACK that came just before garbage, say).
   */
  precedingPackets: Packet[] = [];

  constructor(reasonCode: number, message: string, options?: { cause?: unknown }) {
    super('ERR_DECODE', message, options);
    this.reasonCode = reasonCode;
  }
}

/**
 * The packet cannot be encoded as valid MQTT for the given protocol version (a string over
 * 65,535 bytes, a wildcard in a PUBLISH topic, QoS 1 without a packet id, ...). The encoder
 * throws this instead of writing bad bytes.
 */
export class EncodeError extends MqttError {
  constructor(message: string) {
    super('ERR_ENCODE', message);
  }
}

export function malformed(message: string): DecodeError {
  return new DecodeError(0x81 /* Malformed Packet */, message);
}

export function protocolError(message: string): DecodeError {
  return new DecodeError(0x82 /* Protocol Error */, message);
}
