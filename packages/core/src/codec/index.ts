export { encode } from './encode';
export { DecodeError, EncodeError } from './errors';
export type * from './packet';
export { PacketDecoder, type PacketDecoderOptions } from './packet-decoder';
export type * from './properties';
export { ConnectReturnCode, ReasonCode, reasonCodeName } from './reason-codes';
