import { encodeFromClient } from '../codec/client-codec';
import type { Packet, ProtocolVersion } from '../codec/packet';
import { InvalidArgumentError } from '../errors';
import type { BrokerLimits } from './version-policy';

// The largest packet MQTT can frame: what "no Maximum Packet Size" means.
const MAX_PACKET_SIZE = 268_435_460;

/**
 * Why the broker would refuse `packet` for its size, or undefined: it announced a Maximum Packet
 * Size and we may not send a larger packet [MQTT-3.2.2-15] (it would close the connection with
 * 0x95). The error is the one an oversized PUBLISH gets. For SUBSCRIBE and UNSUBSCRIBE, whose size
 * has no cheap bound: they are encoded once to be measured, only when the broker set a limit.
 */
export function sizeRefusal(packet: Packet, version: ProtocolVersion, limits: BrokerLimits | undefined): InvalidArgumentError | undefined {
  if (limits === undefined || limits.maximumPacketSize >= MAX_PACKET_SIZE) return undefined;
  let size: number;
  try {
    size = encodeFromClient(packet, version).length;
  } catch {
    return undefined; // not encodable: the send reports that, as without a limit
  }
  if (size <= limits.maximumPacketSize) return undefined;
  return new InvalidArgumentError(`the packet takes ${size} bytes; the broker accepts ${limits.maximumPacketSize} at most [MQTT-3.2.2-15]`);
}
