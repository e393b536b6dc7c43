export { encode } from './encode';
export { DecodeError, EncodeError } from './errors';
export type * from './packet';
export type { PacketDecoderOptions } from './frame-decoder';
export { PacketDecoder } from './packet-decoder';
export type * from './properties';
export { ConnectReturnCode, describeReasonCode, ReasonCode, reasonCodeName } from './reason-codes';
