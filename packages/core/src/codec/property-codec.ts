// The MQTT 5.0 property codec, with the table of section 2.2.2.2. A client loads it with import()
// before its first connection at 5.0 (a 3.1.1 client never does); what it uses of the rest of
// the codec is handed in, so that it imports nothing at run time (see property-field.ts).
import type { Properties } from './properties';
import type { PropertyCodecParts, PropertyContexts } from './property-field';
import { BINARY, BYTE, FLAG, PAIR, type PropertyDefinition, propertyTable, STRING, U16, U32, VARINT } from './property-table';
import type { Reader } from './reader';

/** Reads and writes 5.0 properties with `parts`: the functions property-field.ts calls. */
export function propertyCodec(parts: PropertyCodecParts, contexts: PropertyContexts) {
  const [DecodeError, EncodeError, malformed, protocolError, checkBinary, checkUint, measureString, writeUtf8, writeU16, writeU32, writeVarint, contextName, MAX_VARINT] = parts;
  const { byId: DEFINITIONS_BY_ID, byName: DEFINITIONS_BY_NAME } = propertyTable(contexts);

  function definitionFor(id: number, context: number): PropertyDefinition | undefined {
    const candidates = DEFINITIONS_BY_ID[id];
    if (candidates === undefined) return undefined;
    for (const definition of candidates) {
      if ((definition.contexts & context) !== 0) return definition;
    }
    return undefined;
  }

  /**
   * Reads a property length and the properties after it; `undefined` when there are none. An
   * identifier the packet may not carry is malformed (2.2.2.2); a property given twice where the
   * spec allows one is a protocol error.
   */
  function decodeProperties(r: Reader, context: number): Properties | undefined {
    const length = r.varint();
    if (length === 0) return undefined;
    const end = r.pos + length;
    if (end > r.end) throw malformed('the properties run past the end of the packet');
    const frameEnd = r.end;
    r.end = end;
    const props: Record<string, unknown> = {};
    while (r.pos < end) {
      const id = r.varint();
      const definition = definitionFor(id, context);
      if (definition === undefined) {
        throw malformed(`property 0x${id.toString(16).padStart(2, '0')} is not allowed in ${contextName(context)}`);
      }
      const name = definition.name;
      if (definition.kind === PAIR) {
        const pair: [string, string] = [r.utf8(), r.utf8()];
        const pairs = props[name] as [string, string][] | undefined;
        if (pairs === undefined) props[name] = [pair];
        else pairs.push(pair);
        continue;
      }
      const value = readValue(r, definition);
      if (name === 'subscriptionIdentifiers') {
        // In PUBLISH, one per matching subscription: the only property besides user properties
        // that may repeat (3.3.2.3.8).
        const ids = props[name] as number[] | undefined;
        if (ids === undefined) props[name] = [value];
        else ids.push(value as number);
        continue;
      }
      if (props[name] !== undefined) throw protocolError(`property ${name} appears more than once`);
      props[name] = value;
    }
    r.end = frameEnd;
    return props as Properties;
  }

  function readValue(r: Reader, definition: PropertyDefinition): unknown {
    switch (definition.kind) {
      case BYTE:
      case FLAG: {
        const byte = r.u8();
        if (byte > 1) throw protocolError(`property ${definition.name} must be 0 or 1`);
        return definition.kind === FLAG ? byte === 1 : byte;
      }
      case U16:
      case U32:
      case VARINT: {
        const n = definition.kind === U16 ? r.u16() : definition.kind === U32 ? r.u32() : r.varint();
        if (n === 0 && definition.zeroReasonCode !== undefined) {
          throw new DecodeError(definition.zeroReasonCode, `property ${definition.name} is 0`);
        }
        return n;
      }
      case STRING:
        return r.utf8();
      default:
        return r.binary();
    }
  }

  // Properties are encoded once into this scratch buffer, which gives their length, and then
  // copied into the packet: one pass over them instead of a measuring pass and a writing pass.
  let scratch = new Uint8Array(1024);

  function reserve(pos: number, bytes: number): void {
    if (pos + bytes <= scratch.length) return;
    const grown = new Uint8Array(Math.max(scratch.length * 2, pos + bytes));
    grown.set(scratch.subarray(0, pos));
    scratch = grown;
  }

  function writeString(pos: number, s: unknown, field: string): number {
    const length = measureString(s, field);
    reserve(pos, 2 + length);
    pos = writeU16(scratch, pos, length);
    writeUtf8(scratch, pos, s as string, length);
    return pos + length;
  }

  /**
   * Encodes `properties` for the packet `context` into the scratch buffer at `pos`, checking every
   * name and value, and returns the end position. The caller writes the length and copies.
   */
  function encodeProperties(properties: object, context: number, pos: number): number {
    const start = pos;
    const values = properties as Record<string, unknown>;
    for (const name in values) {
      const value = values[name];
      if (value === undefined) continue;
      const definition = DEFINITIONS_BY_NAME[name];
      if (definition === undefined || (definition.contexts & context) === 0) {
        throw new EncodeError(`${name} is not a property of ${contextName(context)}`);
      }
      pos = writeProperty(pos, definition, value);
    }
    if (pos - start > MAX_VARINT) throw new EncodeError('the properties are longer than 268,435,455 bytes');
    return pos;
  }

  function writeProperty(pos: number, definition: PropertyDefinition, value: unknown): number {
    const { id, name } = definition;
    switch (definition.kind) {
      case BYTE:
      case FLAG: {
        const byte = definition.kind === FLAG ? flagByte(value, name) : value;
        if (byte !== 0 && byte !== 1) throw new EncodeError(`property ${name} must be 0 or 1`);
        reserve(pos, 2);
        scratch[pos] = id;
        scratch[pos + 1] = byte;
        return pos + 2;
      }
      case U16:
      case U32: {
        const n = checkUint(value, definition.kind === U16 ? 0xffff : 0xffffffff, `property ${name}`);
        if (n === 0 && definition.zeroReasonCode !== undefined) throw new EncodeError(`property ${name} cannot be 0`);
        reserve(pos, 5);
        scratch[pos] = id;
        return definition.kind === U16 ? writeU16(scratch, pos + 1, n) : writeU32(scratch, pos + 1, n);
      }
      case VARINT: {
        const repeats = name === 'subscriptionIdentifiers';
        if (repeats && !Array.isArray(value)) throw new EncodeError(`property ${name} must be an array`);
        const ids = repeats ? (value as unknown[]) : [value];
        for (const each of ids) {
          const n = checkUint(each, MAX_VARINT, `property ${name}`);
          if (n === 0) throw new EncodeError(`property ${name} cannot be 0`);
          reserve(pos, 5);
          scratch[pos] = id;
          pos = writeVarint(scratch, pos + 1, n);
        }
        return pos;
      }
      case STRING:
        reserve(pos, 1);
        scratch[pos] = id;
        return writeString(pos + 1, value, `property ${name}`);
      case BINARY: {
        const bytes = checkBinary(value, `property ${name}`, 0xffff);
        reserve(pos, 3 + bytes.length);
        scratch[pos] = id;
        pos = writeU16(scratch, pos + 1, bytes.length);
        scratch.set(bytes, pos);
        return pos + bytes.length;
      }
      default: {
        if (!Array.isArray(value)) throw new EncodeError('userProperties must be an array of [name, value] pairs');
        for (const pair of value as unknown[]) {
          if (!Array.isArray(pair) || pair.length !== 2) {
            throw new EncodeError('userProperties must be an array of [name, value] pairs');
          }
          reserve(pos, 1);
          scratch[pos] = id;
          pos = writeString(pos + 1, pair[0], 'a user property name');
          pos = writeString(pos, pair[1], 'a user property value');
        }
        return pos;
      }
    }
  }

  function flagByte(value: unknown, name: string): number {
    if (typeof value !== 'boolean') throw new EncodeError(`property ${name} must be a boolean`);
    return value ? 1 : 0;
  }

  /** Copies `scratch[start, end)` into `buf` at `pos`; returns the position after it. */
  function copyProperties(buf: Uint8Array, pos: number, start: number, end: number): number {
    if (end - start < 32) {
      for (let i = start; i < end; i++) buf[pos++] = scratch[i]!;
      return pos;
    }
    buf.set(scratch.subarray(start, end), pos);
    return pos + end - start;
  }

  return { decodeProperties, encodeProperties, copyProperties };
}
