import type { Packet } from '../codec/packet';
import type { MqttError, ProtocolError } from '../errors';
import type { Link } from './link';
import type { PacketIds } from './packet-ids';
import type { SessionAction, SessionOptions, SettleAction } from './session-types';
import type { VersionPolicy } from './version-policy';

/** What the session's flows (outgoing, incoming, subscriptions) share and may do. */
export interface SessionContext {
  readonly now: number;
  readonly options: SessionOptions;
  readonly policy: VersionPolicy;
  readonly ids: PacketIds;
  /** The current connection, or null between connections. */
  readonly link: Link | null;
  emit(action: SessionAction): void;
  /** Emits a send and counts it as traffic for keep-alive. */
  /** Sends `packet`; `settleWhenWritten` takes effect once its bytes are written. */
  send(packet: Packet, settleWhenWritten?: SettleAction): void;
  /** The broker broke the protocol: tell it why (5.0) and close. */
  fail(error: ProtocolError): void;
  closeConnection(error: MqttError): void;
  warn(error: MqttError): void;
}
