import { EncodeError } from './errors';
import type { ProtocolVersion } from './packet';
import { reasonCodeText } from './reason-code-text';
import { utf8Length } from './utf8';

/** The UTF-8 length of a string field, or an EncodeError when it cannot be an MQTT string. */
export function measureString(s: unknown, field: string): number {
  if (typeof s !== 'string') throw new EncodeError(`${field} must be a string`);
  const length = utf8Length(s);
  if (length < 0) {
    throw new EncodeError(`${field} holds U+0000 or a lone surrogate, which MQTT strings cannot carry`);
  }
  if (length > 0xffff) throw new EncodeError(`${field} is longer than 65,535 bytes in UTF-8`);
  return length;
}

export function checkBinary(value: unknown, field: string, maxLength: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new EncodeError(`${field} must be a Uint8Array`);
  if (value.length > maxLength) throw new EncodeError(`${field} is longer than ${maxLength} bytes`);
  return value;
}

/** Packet identifiers are 1 to 65,535 [MQTT-2.3.1-1]. */
export function checkPacketId(packetId: unknown, packet: string): number {
  if (!Number.isInteger(packetId) || (packetId as number) < 1 || (packetId as number) > 0xffff) {
    throw new EncodeError(`${packet} needs a packetId from 1 to 65535`);
  }
  return packetId as number;
}

export function checkQoS(qos: unknown, field: string): 0 | 1 | 2 {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new EncodeError(`${field} must be 0, 1 or 2`);
  return qos;
}

export function checkUint(value: unknown, max: number, field: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > max) {
    throw new EncodeError(`${field} must be an integer from 0 to ${max}`);
  }
  return value as number;
}

export function checkVersion(version: unknown): ProtocolVersion {
  if (version !== 4 && version !== 5) throw new EncodeError('the protocol version must be 4 (3.1.1) or 5 (5.0)');
  return version;
}

/**
 * A reason code that `valid` allows in 5.0. In 3.1.1, which has no reason codes on this packet,
 * only success (0 or absent) can be expressed: anything else is refused, never dropped.
 */
export function checkReasonCode(
  reasonCode: number | undefined,
  version: ProtocolVersion,
  valid: Uint8Array,
  packet: string,
): number {
  const code = reasonCode ?? 0;
  if (version === 4) {
    if (code !== 0) throw new EncodeError(`${packet} cannot carry reason code ${shown(code)} in MQTT 3.1.1`);
  } else if (!Number.isInteger(code) || code < 0 || code > 0xff || valid[code] !== 1) {
    throw new EncodeError(`${shown(code)} is not a valid reason code for ${packet}`);
  }
  return code;
}

/** True when `properties` holds at least one value. */
export function hasProperties(properties: object | undefined): boolean {
  if (properties === undefined || properties === null) return false;
  for (const key in properties) {
    if ((properties as Record<string, unknown>)[key] !== undefined) return true;
  }
  return false;
}

/** 3.1.1 has no properties: refuse them rather than drop them silently. */
export function checkNoProperties(properties: object | undefined, where: string): void {
  if (hasProperties(properties)) throw new EncodeError(`MQTT 3.1.1 has no properties (given in ${where})`);
}

/** A reason code for a message: with its name when it is a byte, else as it was given. */
function shown(code: unknown): string {
  return Number.isInteger(code) && (code as number) >= 0 && (code as number) <= 0xff ? reasonCodeText(code as number) : String(code);
}
