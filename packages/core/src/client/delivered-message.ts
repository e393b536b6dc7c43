import type { PublishProperties } from '../codec/properties';
import type { QoS } from '../codec/packet';
import type { ReceivedMessage } from '../session/session-types';
import type { Message } from './client-types';

/** What acknowledges a delivered message: the client's delivery. */
export interface Acknowledger {
  ack(deliveryId: number): Promise<void>;
}

/**
 * A message as the application gets it: the received message and its `ack()`. The delivery id
 * that names it to the session is private, so that the message reads as data.
 */
export class DeliveredMessage implements Message {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
  declare readonly properties?: PublishProperties;
  readonly #deliveryId: number;
  readonly #packetId: number | undefined;
  readonly #acknowledger: Acknowledger;

  constructor(message: ReceivedMessage, deliveryId: number, acknowledger: Acknowledger) {
    this.topic = message.topic;
    this.payload = message.payload;
    this.qos = message.qos;
    this.retain = message.retain;
    this.dup = message.dup;
    if (message.properties !== undefined) (this as { properties?: PublishProperties }).properties = message.properties;
    this.#deliveryId = deliveryId;
    this.#packetId = message.packetId;
    this.#acknowledger = acknowledger;
  }

  ack(): Promise<void> {
    return this.#acknowledger.ack(this.#deliveryId);
  }

  /** The id the session knows the message by (0 at QoS 0, which has no ack). */
  static deliveryIdOf(message: Message): number {
    return message instanceof DeliveredMessage ? message.#deliveryId : 0;
  }

  /** The broker's packet id of a QoS 1/2 message: the same on a resend within the session [MQTT-4.4.0-1]. */
  static packetIdOf(message: Message): number | undefined {
    return message instanceof DeliveredMessage ? message.#packetId : undefined;
  }
}
