import { OutboxError, type OutboxChange, type OutgoingRecord, type OutgoingState } from '@courier/core';
import { ByteReader, CorruptRecordError } from './byte-reader';
import { bytesSize, type ByteWriter, stringSize, varintSize } from './byte-writer';
import { encodeFrame } from './frame';
import { propertiesSize, readProperties, writeProperties } from './property-codec';

/**
 * What a journal record holds: the outbox's changes, plus one of its own, `nextId`, which a
 * compacted journal carries so that ids of deleted records are never given again.
 */
export type JournalChange = OutboxChange | { op: 'nextId'; nextId: number };

// A record body: a format byte, then changes one after the other, each an opcode and its
// fields. Numbers are varints; packet ids are two bytes; strings and bytes are a varint length
// and the bytes. A body holds the writes of one append, whole: they are kept or dropped together.
const BODY_FORMAT = 1;

const OP = { put: 1, update: 2, delete: 3, putIncoming: 4, deleteIncoming: 5, clearIncoming: 6, nextId: 7 } as const;

// A put's and an update's flags byte: qos (bits 0-1), retain (2), state (3-4), has a packet id
// (5), has properties (6).
const STATES: readonly OutgoingState[] = ['queued', 'sent', 'released'];
const RETAIN = 1 << 2;
const HAS_PACKET_ID = 1 << 5;
const HAS_PROPERTIES = 1 << 6;

function stateBits(state: OutgoingState): number {
  const index = STATES.indexOf(state);
  if (index < 0) throw new OutboxError(`the outbox cannot store the state ${String(state)}`);
  return index << 3;
}

function packetIdSize(packetId: number | undefined): number {
  if (packetId === undefined) return 0;
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) throw new OutboxError(`the outbox cannot store the packet id ${String(packetId)}`);
  return 2;
}

function recordSize(record: OutgoingRecord): number {
  if (record.qos !== 1 && record.qos !== 2) throw new OutboxError(`the outbox cannot store QoS ${String(record.qos)}`);
  stateBits(record.state);
  return (
    varintSize(record.id, 'the id') +
    1 +
    packetIdSize(record.packetId) +
    stringSize(record.topic, 'the topic') +
    bytesSize(record.payload, 'the payload') +
    (record.properties === undefined ? 0 : propertiesSize(record.properties))
  );
}

/** The encoded size of one change; throws OutboxError for anything it could not read back. */
export function changeSize(change: JournalChange): number {
  switch (change.op) {
    case 'put':
      return 1 + recordSize(change.record);
    case 'update':
      stateBits(change.state); // refuses an unknown state now, before anything is written
      return 1 + varintSize(change.id, 'the id') + 1 + packetIdSize(change.packetId);
    case 'delete':
      return 1 + varintSize(change.id, 'the id');
    case 'putIncoming':
    case 'deleteIncoming':
      return 1 + packetIdSize(change.packetId);
    case 'clearIncoming':
      return 1;
    case 'nextId':
      return 1 + varintSize(change.nextId, 'the next id');
    default:
      throw new OutboxError(`the outbox cannot store the change ${JSON.stringify((change as { op?: unknown }).op)}`);
  }
}

/** The encoded size of `changes`, without the body's format byte; throws as changeSize does. */
export function changesSize(changes: readonly JournalChange[]): number {
  let size = 0;
  for (const change of changes) size += changeSize(change);
  return size;
}

/** The size of a record body holding `changes`. */
export function bodySize(changes: readonly JournalChange[]): number {
  return 1 + changesSize(changes);
}

function writeChange(writer: ByteWriter, change: JournalChange): void {
  writer.u8(OP[change.op]);
  switch (change.op) {
    case 'put': {
      const { record } = change;
      const flags =
        record.qos |
        (record.retain ? RETAIN : 0) |
        stateBits(record.state) |
        (record.packetId === undefined ? 0 : HAS_PACKET_ID) |
        (record.properties === undefined ? 0 : HAS_PROPERTIES);
      writer.varint(record.id);
      writer.u8(flags);
      if (record.packetId !== undefined) writer.u16(record.packetId);
      writer.string(record.topic);
      writer.bytes(record.payload);
      if (record.properties !== undefined) writeProperties(writer, record.properties);
      return;
    }
    case 'update':
      writer.varint(change.id);
      writer.u8(stateBits(change.state) | (change.packetId === undefined ? 0 : HAS_PACKET_ID));
      if (change.packetId !== undefined) writer.u16(change.packetId);
      return;
    case 'delete':
      writer.varint(change.id);
      return;
    case 'putIncoming':
    case 'deleteIncoming':
      writer.u16(change.packetId);
      return;
    case 'clearIncoming':
      return;
    case 'nextId':
      writer.varint(change.nextId);
      return;
  }
}


function readState(flags: number): OutgoingState {
  const state = STATES[(flags >> 3) & 3];
  if (state === undefined) throw new CorruptRecordError('unknown record state');
  return state;
}

// Everything read back is as valid as what writing accepts: replaying it cannot fail halfway.
function readPacketId(reader: ByteReader): number {
  const packetId = reader.u16();
  if (packetId === 0) throw new CorruptRecordError('packet id 0 in a stored record');
  return packetId;
}

function readPut(reader: ByteReader): OutgoingRecord {
  const id = reader.varint();
  const flags = reader.u8();
  const qos = flags & 3;
  if (qos !== 1 && qos !== 2) throw new CorruptRecordError(`QoS ${qos} in a stored record`);
  const packetId = flags & HAS_PACKET_ID ? readPacketId(reader) : undefined;
  const record: OutgoingRecord = { id, topic: reader.string(), payload: reader.bytes(), qos, retain: (flags & RETAIN) !== 0, state: readState(flags) };
  if (flags & HAS_PROPERTIES) record.properties = readProperties(reader);
  if (packetId !== undefined) record.packetId = packetId;
  return record;
}

function readChange(reader: ByteReader): JournalChange {
  const op = reader.u8();
  switch (op) {
    case OP.put:
      return { op: 'put', record: readPut(reader) };
    case OP.update: {
      const id = reader.varint();
      const flags = reader.u8();
      const change: JournalChange = { op: 'update', id, state: readState(flags) };
      if (flags & HAS_PACKET_ID) change.packetId = readPacketId(reader);
      return change;
    }
    case OP.delete:
      return { op: 'delete', id: reader.varint() };
    case OP.putIncoming:
      return { op: 'putIncoming', packetId: readPacketId(reader) };
    case OP.deleteIncoming:
      return { op: 'deleteIncoming', packetId: readPacketId(reader) };
    case OP.clearIncoming:
      return { op: 'clearIncoming' };
    case OP.nextId:
      return { op: 'nextId', nextId: reader.varint() };
    default:
      throw new CorruptRecordError(`unknown change ${op}`);
  }
}

/** Writes a record body holding `changes`, sized and checked beforehand by bodySize. */
export function writeBody(writer: ByteWriter, changes: readonly JournalChange[]): void {
  writer.u8(BODY_FORMAT);
  for (const change of changes) writeChange(writer, change);
}

/** Reads the changes of the body in `buffer[start, end)`; throws CorruptRecordError when it cannot. */
export function readBody(buffer: Buffer, start: number, end: number): JournalChange[] {
  const reader = new ByteReader(buffer, start, end);
  const format = reader.u8();
  if (format !== BODY_FORMAT) throw new CorruptRecordError(`record format ${format} is not one this version reads`);
  const changes: JournalChange[] = [];
  while (!reader.done) changes.push(readChange(reader));
  return changes;
}

/** One framed journal record holding `changes`; throws OutboxError for what it cannot store. */
export function encodeRecord(marker: Uint8Array, changes: readonly JournalChange[]): Buffer {
  return encodeRecords(marker, [changes], changesSize(changes));
}

/**
 * One framed journal record holding the changes of several writes, in order, which
 * `changesSize` has checked and sized at `bytes` in all. One frame, one checksum and one
 * allocation per append rather than per write: the frame is what is kept or cut off whole.
 */
export function encodeRecords(marker: Uint8Array, writes: readonly (readonly JournalChange[])[], bytes: number): Buffer {
  return encodeFrame(marker, 1 + bytes, (writer) => {
    writer.u8(BODY_FORMAT);
    for (const changes of writes) for (const change of changes) writeChange(writer, change);
  });
}
