import type { OutboxChange } from '@courier/core';
import { describe, expect, test } from 'vitest';
import { CorruptRecordError } from '../../src/fs/byte-reader';
import { ByteWriter } from '../../src/fs/byte-writer';
import { bodySize, type JournalChange, readBody, writeBody } from '../../src/fs/change-codec';
import { record } from './outbox-fixtures';

function roundTrip(changes: readonly JournalChange[]): JournalChange[] {
  const size = bodySize(changes);
  const buffer = Buffer.alloc(size + 6);
  const writer = new ByteWriter(buffer, 3);
  writeBody(writer, changes);
  expect(writer.offset).toBe(3 + size);
  return readBody(buffer, 3, 3 + size);
}

function bodyOf(...bytes: number[]): Buffer {
  return Buffer.from([1, ...bytes]);
}

describe('a record body', () => {
  test('holds every kind of change, in order, field for field', () => {
    const changes: JournalChange[] = [
      { op: 'put', record: record(1) },
      { op: 'put', record: record(2 ** 40, { qos: 2, retain: true, state: 'released', packetId: 65535, topic: 'ünïcødé/🚀', payload: new Uint8Array(70_000).fill(7) }) },
      { op: 'update', id: 1, state: 'sent', packetId: 1 },
      { op: 'update', id: 1, state: 'queued' },
      { op: 'delete', id: Number.MAX_SAFE_INTEGER },
      { op: 'putIncoming', packetId: 300 },
      { op: 'deleteIncoming', packetId: 300 },
      { op: 'clearIncoming' },
      { op: 'nextId', nextId: 12345678 },
    ];
    expect(roundTrip(changes)).toEqual(changes);
  });

  test('keeps every PUBLISH property, byte for byte', () => {
    const properties = {
      payloadFormatIndicator: true,
      messageExpiryInterval: 4_294_967_295,
      contentType: 'application/json',
      responseTopic: 'replies/7',
      correlationData: Uint8Array.of(0, 1, 254, 255),
      subscriptionIdentifiers: [1, 268_435_455],
      topicAlias: 9,
      userProperties: [['k', 'v'], ['k', 'w'], ['', '']] as [string, string][],
    };
    expect(roundTrip([{ op: 'put', record: record(5, { properties }) }])).toEqual([{ op: 'put', record: record(5, { properties }) }]);
    const falseFlag = { payloadFormatIndicator: false };
    expect(roundTrip([{ op: 'put', record: record(6, { properties: falseFlag }) }])).toEqual([{ op: 'put', record: record(6, { properties: falseFlag }) }]);
  });

  test('reads user property names like "__proto__" back as plain strings, polluting nothing', () => {
    const userProperties: [string, string][] = [['__proto__', '{"polluted":true}'], ['constructor', 'x'], ['prototype', 'y']];
    const [change] = roundTrip([{ op: 'put', record: record(1, { properties: { userProperties } }) }]) as [Extract<OutboxChange, { op: 'put' }>];
    expect(change.record.properties?.userProperties).toEqual(userProperties);
    expect(Object.getPrototypeOf(change.record.properties)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(change.record.properties!)).toEqual(['userProperties']);
  });

  test('leaves out keys that are not PUBLISH properties', () => {
    const properties = { messageExpiryInterval: 5, sessionExpiryInterval: 9 } as never;
    expect(roundTrip([{ op: 'put', record: record(1, { properties }) }])).toEqual([{ op: 'put', record: record(1, { properties: { messageExpiryInterval: 5 } }) }]);
  });

  test.each([
    ['QoS 0', { op: 'put', record: record(1, { qos: 0 as 1 }) }],
    ['a negative id', { op: 'delete', id: -1 }],
    ['a fractional id', { op: 'delete', id: 1.5 }],
    ['packet id 0', { op: 'putIncoming', packetId: 0 }],
    ['packet id 65536', { op: 'update', id: 1, state: 'sent', packetId: 65536 }],
    ['an unknown state', { op: 'update', id: 1, state: 'lost' }],
    ['an unknown change', { op: 'forget' }],
    ['a payload that is not bytes', { op: 'put', record: record(1, { payload: 'text' as never }) }],
    ['a topic that is not a string', { op: 'put', record: record(1, { topic: 7 as never }) }],
    ['user properties that are not pairs', { op: 'put', record: record(1, { properties: { userProperties: 'x' as never } }) }],
  ])('refuses %s with an OutboxError before writing anything', (_, change) => {
    expect(() => bodySize([change as JournalChange])).toThrow(expect.objectContaining({ code: 'ERR_OUTBOX' }));
  });

  test.each([
    ['an unknown format', Buffer.from([2])],
    ['an unknown change', bodyOf(99)],
    ['a record cut short', bodyOf(1, 5, 1, 3, 0x61)],
    ['an unknown property tag', bodyOf(1, 5, 0b1000001, 1, 0x61, 0, 1, 42, 0)],
    ['QoS 3', bodyOf(1, 5, 3, 1, 0x61, 0)],
    ['packet id 0', bodyOf(4, 0, 0)],
    ['a varint past 2^53', bodyOf(3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ])('reading %s fails with CorruptRecordError, never anything else', (_, body) => {
    expect(() => readBody(body, 0, body.length)).toThrow(CorruptRecordError);
  });

  test('never reads past its end, nor throws anything but CorruptRecordError, on any prefix or random bytes', () => {
    const size = bodySize([{ op: 'put', record: record(3, { properties: { userProperties: [['a', 'b']] } }) }]);
    const buffer = Buffer.alloc(size);
    writeBody(new ByteWriter(buffer, 0), [{ op: 'put', record: record(3, { properties: { userProperties: [['a', 'b']] } }) }]);
    // From 2: the format byte alone is a body with no changes.
    for (let end = 2; end < size; end++) expect(() => readBody(buffer, 0, end)).toThrow(CorruptRecordError);
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const junk = bodyOf(...Array.from({ length: 1 + (i % 40) }, random));
      try {
        readBody(junk, 0, junk.length);
      } catch (error) {
        expect(error).toBeInstanceOf(CorruptRecordError);
      }
    }
  });
});
