/**
 * The wire level: the MQTT 3.1.1/5.0 codec on its own. `encode(packet, version)` and the push
 * decoder `PacketDecoder`, the packet model (`Packet`, one interface per packet type), the
 * properties of each packet, reason codes, and the codec's two errors. For tools, brokers and
 * tests that handle packets themselves; an application's client does not need it. The same
 * names are exported by `@courier/core`, `@courier/node` and `@courier/browser` too.
 * @module @courier/core/codec
 */
export { encode } from './encode';
export { DecodeError, EncodeError } from './errors';
export type * from './packet';
export type { PacketDecoderOptions } from './frame-decoder';
export { PacketDecoder } from './packet-decoder';
export type * from './properties';
export { ConnectReturnCode, describeReasonCode, ReasonCode, reasonCodeName } from './reason-codes';
