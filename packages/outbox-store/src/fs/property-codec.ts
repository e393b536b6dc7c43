import { OutboxError, type PublishProperties } from '@courier/core';
import { type ByteReader, CorruptRecordError } from './byte-reader';
import { bytesSize, type ByteWriter, stringSize, varintSize } from './byte-writer';

// A PUBLISH's 5.0 properties as the journal keeps them: a count, then per property a tag and
// its value. The tags are this format's own, fixed forever (not the MQTT identifiers, which a
// future version of this table need not follow). Decoding only ever assigns the keys of this
// table, and user properties stay an array of pairs: no name read from disk becomes an object
// key, so a stored "__proto__" is just a string.

type Kind = 'flag' | 'uint' | 'string' | 'bytes' | 'uints' | 'pairs';

const FIELDS = [
  { tag: 1, key: 'payloadFormatIndicator', kind: 'flag' },
  { tag: 2, key: 'messageExpiryInterval', kind: 'uint' },
  { tag: 3, key: 'contentType', kind: 'string' },
  { tag: 4, key: 'responseTopic', kind: 'string' },
  { tag: 5, key: 'correlationData', kind: 'bytes' },
  { tag: 6, key: 'subscriptionIdentifiers', kind: 'uints' },
  { tag: 7, key: 'topicAlias', kind: 'uint' },
  { tag: 8, key: 'userProperties', kind: 'pairs' },
] as const satisfies readonly { tag: number; key: keyof PublishProperties; kind: Kind }[];

type Field = (typeof FIELDS)[number];

const BY_TAG = new Map<number, Field>(FIELDS.map((field) => [field.tag, field]));

function listOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new OutboxError(`the outbox cannot store ${what}: not an array`);
  return value;
}

function valueSize(kind: Kind, value: unknown, what: string): number {
  switch (kind) {
    case 'flag':
      return 1;
    case 'uint':
      return varintSize(value as number, what);
    case 'string':
      return stringSize(value as string, what);
    case 'bytes':
      return bytesSize(value as Uint8Array, what);
    case 'uints': {
      const list = listOf(value, what);
      return list.reduce<number>((size, n) => size + varintSize(n as number, what), varintSize(list.length, what));
    }
    case 'pairs': {
      const list = listOf(value, what);
      let size = varintSize(list.length, what);
      for (const pair of list) {
        const [name, text] = listOf(pair, what) as [string, string];
        size += stringSize(name, what) + stringSize(text, what);
      }
      return size;
    }
  }
}

function writeValue(writer: ByteWriter, kind: Kind, value: unknown): void {
  switch (kind) {
    case 'flag':
      writer.u8(value === true ? 1 : 0);
      return;
    case 'uint':
      writer.varint(value as number);
      return;
    case 'string':
      writer.string(value as string);
      return;
    case 'bytes':
      writer.bytes(value as Uint8Array);
      return;
    case 'uints':
      writer.varint((value as number[]).length);
      for (const n of value as number[]) writer.varint(n);
      return;
    case 'pairs':
      writer.varint((value as [string, string][]).length);
      for (const [name, text] of value as [string, string][]) {
        writer.string(name);
        writer.string(text);
      }
      return;
  }
}

function readValue(reader: ByteReader, kind: Kind): unknown {
  switch (kind) {
    case 'flag':
      return reader.u8() !== 0;
    case 'uint':
      return reader.varint();
    case 'string':
      return reader.string();
    case 'bytes':
      return reader.bytes();
    case 'uints':
      return Array.from({ length: reader.varint() }, () => reader.varint());
    case 'pairs': {
      const count = reader.varint();
      const pairs: [string, string][] = [];
      for (let i = 0; i < count; i++) pairs.push([reader.string(), reader.string()]);
      return pairs;
    }
  }
}

/**
 * The properties the journal keeps: those of the table that are set. Keys outside it are not
 * PUBLISH properties, so they would not reach the wire either; they are left out.
 */
function presentFields(properties: PublishProperties): Field[] {
  return FIELDS.filter((field) => properties[field.key] !== undefined);
}

/** The encoded size of `properties`; throws OutboxError for a value it cannot store. */
export function propertiesSize(properties: PublishProperties): number {
  const fields = presentFields(properties);
  let size = varintSize(fields.length, 'a property count');
  for (const field of fields) size += 1 + valueSize(field.kind, properties[field.key], `the property ${field.key}`);
  return size;
}

/** Writes `properties`, sized and checked beforehand by propertiesSize. */
export function writeProperties(writer: ByteWriter, properties: PublishProperties): void {
  const fields = presentFields(properties);
  writer.varint(fields.length);
  for (const field of fields) {
    writer.u8(field.tag);
    writeValue(writer, field.kind, properties[field.key]);
  }
}

/** Reads properties back; an unknown tag means a record this version cannot read. */
export function readProperties(reader: ByteReader): PublishProperties {
  const properties: Record<string, unknown> = {};
  const count = reader.varint();
  for (let i = 0; i < count; i++) {
    const tag = reader.u8();
    const field = BY_TAG.get(tag);
    if (field === undefined) throw new CorruptRecordError(`unknown property tag ${tag}`);
    properties[field.key] = readValue(reader, field.kind);
  }
  return properties as PublishProperties;
}
