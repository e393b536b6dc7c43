import { encodeFromClient } from '../codec/client-codec';
import type { Packet, ProtocolVersion, Subscription } from '../codec/packet';
import type { SubscribeProperties, UnsubscribeProperties } from '../codec/properties';
import type { MqttError } from '../errors';

/**
 * Why encoding would refuse this SUBSCRIBE in `version` (options or properties that need 5.0, a
 * bad filter...), or undefined when it would not. The codec decides, so that the client's check
 * and the session's after a fallback to 3.1.1 cannot disagree with what is sent.
 */
export function subscribeEncodingProblem(
  subscriptions: Subscription[],
  properties: SubscribeProperties | undefined,
  version: ProtocolVersion,
): MqttError | undefined {
  const packet: Packet = { type: 'subscribe', packetId: 1, subscriptions };
  if (properties !== undefined) packet.properties = properties;
  return encodingProblemOf(packet, version);
}

/** Why encoding would refuse this UNSUBSCRIBE in `version` (properties in 3.1.1...), or undefined. */
export function unsubscribeEncodingProblem(
  topicFilters: string[],
  properties: UnsubscribeProperties | undefined,
  version: ProtocolVersion,
): MqttError | undefined {
  const packet: Packet = { type: 'unsubscribe', packetId: 1, topicFilters };
  if (properties !== undefined) packet.properties = properties;
  return encodingProblemOf(packet, version);
}

function encodingProblemOf(packet: Packet, version: ProtocolVersion): MqttError | undefined {
  try {
    encodeFromClient(packet, version);
    return undefined;
  } catch (error) {
    return error as MqttError;
  }
}
