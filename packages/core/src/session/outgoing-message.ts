import type { PublishPacket } from '../codec/packet';
import type { OutgoingRecord, OutgoingState } from '../ports/outbox-store';
import type { PublishRequest } from './session-types';

/**
 * One QoS 1 or 2 message the session owes, from publish to its final ack. The request is the
 * application's and never changes; the session builds each wire packet from it.
 */
export class OutgoingMessage {
  state: OutgoingState = 'queued';
  /** The packet id it holds (0: none, while queued). */
  packetId = 0;
  /** It has gone out at least once, so a resend carries DUP=1 [MQTT-3.3.1-1]. */
  sentOnce = false;
  /** Sent (PUBLISH or PUBREL) on the current connection and waiting for its ack since `sentAt`. */
  onWire = false;
  sentAt = 0;
  /** Its PUBLISH took one unit of this connection's send quota (5.0 flow control, 4.9). */
  holdsQuota = false;
  /** In the send queue, holding a packet id. */
  waitingToSend = false;
  /** Awaited outbox writes that are not durable yet: nothing is sent before they are. */
  writes = 0;
  /** PUBREC came and its PUBREL waits for the 'released' write to be durable. */
  releasing = false;
  /**
   * When its PUBREC came, counted per session run, so that PUBRELs are resent in that order
   * [MQTT-4.6.0-4]. 0 for a message restored as released: its PUBREC came before this run's.
   */
  pubrecOrder = 0;

  constructor(
    readonly id: number,
    readonly request: PublishRequest,
  ) {}

  get qos(): 1 | 2 {
    return this.request.qos as 1 | 2;
  }

  static fromRecord(record: OutgoingRecord): OutgoingMessage {
    const request: PublishRequest = {
      topic: record.topic,
      payload: record.payload,
      qos: record.qos,
      retain: record.retain,
    };
    if (record.properties !== undefined) request.properties = record.properties;
    return new OutgoingMessage(record.id, request);
  }

  record(): OutgoingRecord {
    const { topic, payload, retain, properties } = this.request;
    const record: OutgoingRecord = { id: this.id, topic, payload, qos: this.qos, retain, state: this.state };
    if (properties !== undefined) record.properties = properties;
    if (this.packetId !== 0) record.packetId = this.packetId;
    return record;
  }

  publishPacket(): PublishPacket {
    const { topic, payload, retain, properties } = this.request;
    const packet: PublishPacket = {
      type: 'publish',
      topic,
      payload,
      qos: this.qos,
      dup: this.sentOnce,
      retain,
      packetId: this.packetId,
    };
    if (properties !== undefined) packet.properties = properties;
    return packet;
  }
}
