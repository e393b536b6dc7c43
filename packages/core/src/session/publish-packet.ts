import type { PublishPacket } from '../codec/packet';
import { measurePublish } from '../codec/publish';
import type { MqttError } from '../errors';
import type { PublishRequest } from './session-types';

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
