// The property field of every packet. 3.1.1 has none: properties given are refused, never
// dropped. 5.0's are read and written by the property codec (property-codec.ts, with the table of
// section 2.2.2.2), which a client loads with import() before its first connection at 5.0, so that
// a web app does not load the 5.0 tables at start; `encode` and `PacketDecoder`, the whole codec,
// install it when they load. A 5.0 packet without properties needs no codec.
import { DecodeError, EncodeError, malformed, protocolError } from './errors';
import { checkBinary, checkNoProperties, checkUint, hasProperties, measureString } from './field-checks';
import type { ProtocolVersion } from './packet';
import type { Properties } from './properties';
import type * as CodecV5 from './codec-v5';
import type { propertyCodec } from './property-codec';
import {
  contextName,
  IN_ACK,
  IN_AUTH,
  IN_CONNACK,
  IN_CONNECT,
  IN_DISCONNECT,
  IN_PUBLISH,
  IN_SUBACK,
  IN_SUBSCRIBE,
  IN_UNSUBACK,
  IN_WILL,
} from './property-contexts';
import type { Reader } from './reader';
import { useReasonCodeWords } from './reason-code-text';
import { writeUtf8 } from './utf8';
import { MAX_VARINT, varintLength, writeU16, writeU32, writeVarint } from './writer';

/**
 * What the property codec uses of the rest of the codec, handed in rather than imported: a lazily
 * loaded module that imported the codec would make the bundler split the codec off the app's start
 * into a chunk of its own (as the IndexedDB outbox once did, outbox-store/src/idb/core-parts.ts).
 */
const PARTS = [DecodeError, EncodeError, malformed, protocolError, checkBinary, checkUint, measureString, writeUtf8, writeU16, writeU32, writeVarint, contextName, MAX_VARINT] as const;
// The packets the property table names. Lists, not objects, so that the minifier renames them.
const CONTEXTS = [IN_ACK, IN_AUTH, IN_CONNACK, IN_CONNECT, IN_DISCONNECT, IN_PUBLISH, IN_SUBACK, IN_SUBSCRIBE, IN_UNSUBACK, IN_WILL] as const;
export type PropertyContexts = typeof CONTEXTS;
export type PropertyCodecParts = typeof PARTS;
type PropertyCodec = ReturnType<typeof propertyCodec>;

let codec: PropertyCodec | undefined;

/**
 * Installs the 5.0 codec (once): the property codec and the words of reason codes. The whole
 * codec does at load, a client through `loadPropertyCodec`.
 */
export function usePropertyCodec(v5: typeof CodecV5): void {
  if (codec !== undefined) return;
  codec = v5.propertyCodec(PARTS, CONTEXTS);
  useReasonCodeWords(v5.reasonCodeWords);
}

/**
 * Whether `properties` can be checked for `version` now: not at 5.0 before the codec has loaded
 * (a client checks such a call again once it has).
 */
export function propertiesCheckable(properties: object | undefined, version: ProtocolVersion): boolean {
  return properties === undefined || version === 4 || codec !== undefined;
}

/**
 * Loads what `version` needs: for 5.0 the property codec and the words of reason codes (codec-v5.ts),
 * for 3.1.1 nothing.
 */
export function loadPropertyCodec(version: ProtocolVersion): Promise<void> {
  if (version === 4 || codec !== undefined) return Promise.resolve();
  return import('./codec-v5').then(usePropertyCodec);
}

function loaded(): PropertyCodec {
  // A client loads the codec before it encodes or decodes anything at 5.0: reaching this is a bug.
  if (codec === undefined) throw new EncodeError('the MQTT 5.0 property codec is not loaded (loadPropertyCodec)');
  return codec;
}

/** Reads a 5.0 property field (its length, then the properties); `undefined` when empty. */
export function decodeProperties(r: Reader, context: number): Properties | undefined {
  return loaded().decodeProperties(r, context);
}

/**
 * A packet's properties for `version`: in 5.0 encoded into the codec's scratch buffer from
 * `start`, and the end returned; in 3.1.1, which has none, refused if any are given, and `start`
 * returned. The caller writes the field with `writePropertyField` or `copyProperties`.
 */
export function encodePacketProperties(
  properties: object | undefined,
  context: number,
  version: ProtocolVersion,
  start = 0,
): number {
  if (version === 4) {
    checkNoProperties(properties, contextName(context));
    return start;
  }
  return hasProperties(properties) ? loaded().encodeProperties(properties as object, context, start) : start;
}

/** Copies the encoded properties `[start, end)` into `buf` at `pos`; returns the position after them. */
export function copyProperties(buf: Uint8Array, pos: number, start: number, end: number): number {
  return end === start ? pos : loaded().copyProperties(buf, pos, start, end);
}

/** The size of the property field (its length, then the properties) in 5.0; 0 in 3.1.1. */
export function propertyFieldSize(version: ProtocolVersion, start: number, end: number): number {
  return version === 5 ? varintLength(end - start) + end - start : 0;
}

/** Writes the property field from the scratch buffer at `pos` (nothing in 3.1.1). */
export function writePropertyField(buf: Uint8Array, pos: number, version: ProtocolVersion, start: number, end: number): number {
  if (version === 4) return pos;
  return copyProperties(buf, writeVarint(buf, pos, end - start), start, end);
}
