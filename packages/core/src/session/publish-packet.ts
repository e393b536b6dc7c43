import type { PublishPacket } from '../codec/packet';
import { measurePublish } from '../codec/publish';
import type { MqttError } from '../errors';
import type { Link } from './link';
import type { PublishRequest } from './session-types';
import type { BrokerLimits } from './version-policy';

/**
 * The PUBLISH a request becomes before it holds a packet id: as sent for QoS 0; for QoS 1/2 with
 * a placeholder id, to measure or check it.
 */
export function publishPacketOf(request: PublishRequest): PublishPacket {
  const packet: PublishPacket = { type: 'publish', topic: request.topic, payload: request.payload, qos: request.qos, dup: false, retain: request.retain };
  if (request.qos !== 0) packet.packetId = 1;
  if (request.properties !== undefined) packet.properties = request.properties;
  return packet;
}

/** Why encoding would refuse this request in `version`, or undefined when it would not. */
export function encodingProblem(request: PublishRequest, version: 4 | 5): MqttError | undefined {
  try {
    measurePublish(publishPacketOf(request), version);
    return undefined;
  } catch (error) {
    return error as MqttError;
  }
}

/**
 * `packet` with an automatic topic alias on `link`: the first PUBLISH to a topic carries the
 * topic and a new alias, later ones the alias and an empty topic (3.3.2.3.4). Aliases belong to
 * the connection [MQTT-3.3.2-7], so a resend on the next one carries the full topic again.
 *
 * When the broker's Topic Alias Maximum is used up, later topics go in full: the first N topics
 * keep their aliases. An LRU would re-point aliases, and with more busy topics than aliases it
 * would send every PUBLISH with its full topic plus a 3-byte alias, more than none at all; kept
 * aliases never cost more than those 3 bytes once per topic and connection.
 */
export function withTopicAlias(packet: PublishPacket, link: Link, version: 4 | 5): PublishPacket {
  const { sentAliases } = link;
  const known = sentAliases.get(packet.topic);
  if (known !== undefined) return aliasedPacket(packet, '', known);
  const { topicAliasMaximum, maximumPacketSize } = link.limits as BrokerLimits;
  if (sentAliases.size >= topicAliasMaximum) return packet;
  const aliased = aliasedPacket(packet, packet.topic, sentAliases.size + 1);
  // The 3 bytes of the alias must not take a message over the broker's Maximum Packet Size.
  if (measurePublish(aliased, version) > maximumPacketSize) return packet;
  sentAliases.set(packet.topic, sentAliases.size + 1);
  return aliased;
}

// Built field by field in the order of every other PUBLISH packet: spreads made objects of
// another shape on each publish, which doubled the publisher's CPU per message (bench:e2e).
function aliasedPacket(packet: PublishPacket, topic: string, topicAlias: number): PublishPacket {
  const aliased: PublishPacket = { type: 'publish', topic, payload: packet.payload, qos: packet.qos, dup: packet.dup, retain: packet.retain };
  if (packet.packetId !== undefined) aliased.packetId = packet.packetId;
  aliased.properties = packet.properties === undefined ? { topicAlias } : { ...packet.properties, topicAlias };
  return aliased;
}
