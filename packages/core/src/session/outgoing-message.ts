import type { PublishPacket } from '../codec/packet';
import type { OutgoingRecord, OutgoingState } from '../ports/outbox-store';
import { publishPacketOf } from './publish-packet';
import type { PublishRequest } from './session-types';

// The message's yes/no facts, its state and its pending writes, as bits of one field: one word
// per message, not seven. The facts, for `has` and `set`:
/** It has gone out at least once, so a resend carries DUP=1 [MQTT-3.3.1-1]. */
export const SENT_ONCE = 1;
/** Sent (PUBLISH or PUBREL) on the current connection and waiting for its ack since `sentAt`. */
export const ON_WIRE = 2;
/** Its PUBLISH took one unit of this connection's send quota (5.0 flow control, 4.9). */
export const HOLDS_QUOTA = 4;
/** In the send queue, holding a packet id. */
export const WAITING_TO_SEND = 8;
/** PUBREC came and its PUBREL waits for the 'released' write to be durable. */
export const RELEASING = 16;
/** The state, in the two bits above those: its index in STATES. */
const STATE_SHIFT = 5;
const STATES: readonly OutgoingState[] = ['queued', 'sent', 'released'];
/** The count of writes, in the bits above all those. */
const WRITES_SHIFT = 7;

/**
 * One QoS 1 or 2 message the session owes, from publish to its final ack.
 *
 * Design: `record` is the very object written to the outbox by the 'put' (the memory outbox keeps
 * it as it is), so that a message in flight is held once, not as a request, a record and a copy.
 * The session reads from it only what never changes (id, topic, payload, QoS, retain,
 * properties); where the message stands is in the fields below, never read from the record.
 */
export class OutgoingMessage {
  /** The packet id it holds (0: none, while queued). */
  packetId = 0;
  #flags = 0;
  /** When it was last sent on the current connection, while ON_WIRE. */
  sentAt = 0;

  constructor(readonly record: OutgoingRecord) {}

  get id(): number {
    return this.record.id;
  }

  get qos(): 1 | 2 {
    return this.record.qos;
  }

  get state(): OutgoingState {
    return STATES[(this.#flags >> STATE_SHIFT) & 3] as OutgoingState;
  }

  set state(state: OutgoingState) {
    this.#flags = (this.#flags & ~(3 << STATE_SHIFT)) | (STATES.indexOf(state) << STATE_SHIFT);
  }

  /** Awaited outbox writes that are not durable yet: nothing is sent before they are. */
  get writes(): number {
    return this.#flags >>> WRITES_SHIFT;
  }

  set writes(writes: number) {
    this.#flags = (this.#flags & ((1 << WRITES_SHIFT) - 1)) | (writes << WRITES_SHIFT);
  }

  /** Whether `fact` (SENT_ONCE, ON_WIRE...) holds. */
  has(fact: number): boolean {
    return (this.#flags & fact) !== 0;
  }

  set(fact: number, holds: boolean): void {
    this.#flags = holds ? this.#flags | fact : this.#flags & ~fact;
  }

  /** Where the message stands now, as `pending()` lists it: a new object, not the stored record. */
  entry(): OutgoingRecord {
    const entry = newRecord(this.id, this.record, this.packetId);
    entry.state = this.state;
    return entry;
  }

  publishPacket(): PublishPacket {
    const packet = publishPacketOf(this.record);
    packet.dup = this.has(SENT_ONCE);
    packet.packetId = this.packetId;
    return packet;
  }
}

/**
 * The record first written for message `id`: queued, or already 'sent' under `packetId` when it
 * goes out at once. One literal per shape, so that no field is added after creation but
 * properties (V8 would give every record a second, out-of-object property store).
 */
export function newRecord(id: number, request: PublishRequest, packetId: number): OutgoingRecord {
  const { topic, payload, retain, properties } = request;
  const qos = request.qos as 1 | 2;
  const record: OutgoingRecord = packetId === 0 ? { id, topic, payload, qos, retain, state: 'queued' } : { id, topic, payload, qos, retain, state: 'sent', packetId };
  if (properties !== undefined) record.properties = properties;
  return record;
}
