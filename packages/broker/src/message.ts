import type { ProtocolVersion, PublishPacket, PublishProperties, QoS, Will, WillProperties } from '@courier/core';

/**
 * An application message as the broker holds it once it has taken ownership (4.5): immutable and
 * shared by every subscriber's queue. Plain data, so that a session store can persist it.
 */
export interface BrokerMessage {
  readonly topic: string;
  /** May be replaced by a compact copy before the message is kept for long (`compact`). */
  payload: Uint8Array;
  readonly qos: QoS;
  /** The RETAIN flag as published, for Retain As Published (5.0). */
  readonly retain: boolean;
  /**
   * The properties forwarded to subscribers (5.0): everything the publisher sent except the
   * Topic Alias, which is per connection [MQTT-3.3.2-7], and the Message Expiry Interval, which
   * is recomputed on each send from `expiresAt` [MQTT-3.3.2-6].
   */
  readonly properties: PublishProperties | undefined;
  /** When the message expires (ms since the epoch), if it has a Message Expiry Interval. */
  readonly expiresAt: number | undefined;
  /** The client id of the publisher, for No Local [MQTT-3.8.3-3]. */
  readonly publisherId: string;
}

type ForwardedProperties = Omit<PublishProperties, 'topicAlias' | 'subscriptionIdentifiers' | 'messageExpiryInterval'>;

/** The message of a PUBLISH received from `publisherId`, under its resolved topic name. */
export function messageFromPublish(packet: PublishPacket, topic: string, publisherId: string, now: number): BrokerMessage {
  const properties = packet.properties;
  return {
    topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    properties: properties === undefined ? undefined : forwardedProperties(properties),
    expiresAt: expiryOf(properties?.messageExpiryInterval, now),
    publisherId,
  };
}

/** The message a will becomes when it is published (3.1.3.2: its properties are the message's). */
export function messageFromWill(will: Will, publisherId: string, now: number): BrokerMessage {
  return {
    topic: will.topic,
    payload: will.payload,
    qos: will.qos,
    retain: will.retain,
    properties: will.properties === undefined ? undefined : forwardedProperties(will.properties),
    expiresAt: expiryOf(will.properties?.messageExpiryInterval, now),
    publisherId,
  };
}

// An interval of 0 is read as no expiry, as Mosquitto does.
function expiryOf(intervalS: number | undefined, now: number): number | undefined {
  return intervalS === undefined || intervalS === 0 ? undefined : now + intervalS * 1000;
}

// Passed on unaltered [MQTT-3.3.2-4], [MQTT-3.3.2-15], [MQTT-3.3.2-16], [MQTT-3.3.2-20], user
// properties in their order [MQTT-3.3.2-17], [MQTT-3.3.2-18].
const FORWARDED = ['payloadFormatIndicator', 'contentType', 'responseTopic', 'correlationData', 'userProperties'] as const;

function forwardedProperties(properties: PublishProperties | WillProperties): ForwardedProperties | undefined {
  let forwarded: Record<string, unknown> | undefined;
  for (const name of FORWARDED) {
    if (properties[name] !== undefined) (forwarded ??= {})[name] = properties[name];
  }
  return forwarded as ForwardedProperties | undefined;
}

/** True when the message has expired at `now` and may no longer be sent [MQTT-3.3.2-5]. */
export function isExpired(message: BrokerMessage, now: number): boolean {
  return message.expiresAt !== undefined && now >= message.expiresAt;
}

/**
 * Replaces a payload that is a small view into a large received chunk by a copy of its own, so
 * that a message kept for long (queued, retained) does not pin the whole chunk in memory.
 */
export function compact(message: BrokerMessage): BrokerMessage {
  const { payload } = message;
  if (payload.buffer.byteLength > 2 * payload.byteLength + 64) message.payload = payload.slice();
  return message;
}

/** How a message goes to one subscriber: at which QoS, with which RETAIN flag and identifiers. */
export interface Delivery {
  readonly message: BrokerMessage;
  readonly qos: QoS;
  readonly retain: boolean;
  /** Identifiers of the subscriptions that matched (5.0) [MQTT-3.3.4-3]. */
  readonly subscriptionIdentifiers: number[] | undefined;
}

/**
 * The PUBLISH that carries `delivery` to a client of `version`. 3.1.1 packets carry no
 * properties; 5.0 ones carry the message's, the remaining expiry interval [MQTT-3.3.2-6] and the
 * matching subscription identifiers [MQTT-3.3.4-4].
 */
export function publishPacketFor(
  delivery: Delivery,
  packetId: number | undefined,
  dup: boolean,
  version: ProtocolVersion,
  now: number,
): PublishPacket {
  const { message } = delivery;
  const packet: PublishPacket = {
    type: 'publish',
    topic: message.topic,
    payload: message.payload,
    qos: delivery.qos,
    dup,
    retain: delivery.retain,
  };
  if (packetId !== undefined) packet.packetId = packetId;
  if (version === 4) return packet;
  let properties: PublishProperties | undefined = message.properties;
  if (message.expiresAt !== undefined || delivery.subscriptionIdentifiers !== undefined) {
    properties = { ...properties };
    if (message.expiresAt !== undefined) {
      // Never 0 on a resend: expiry does not apply once a PUBLISH has been sent [MQTT-4.3.3-7].
      properties.messageExpiryInterval = Math.max(1, Math.ceil((message.expiresAt - now) / 1000));
    }
    if (delivery.subscriptionIdentifiers !== undefined) {
      properties.subscriptionIdentifiers = delivery.subscriptionIdentifiers;
    }
  }
  if (properties !== undefined) packet.properties = properties;
  return packet;
}
