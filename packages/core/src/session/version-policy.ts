import type { AckPacket, ConnackPacket, ConnectPacket, DisconnectPacket, ProtocolVersion } from '../codec/packet';
import type { ConnectProperties, DisconnectProperties } from '../codec/properties';
import { reasonCodeText } from '../codec/reason-code-text';
import { ProtocolError } from '../errors';
import type { SessionOptions } from './session-types';

/** What the broker allows, from CONNACK; 3.1.1 brokers announce nothing, so no limit. */
export interface BrokerLimits {
  receiveMaximum: number;
  maximumPacketSize: number;
  maximumQoS: 0 | 1 | 2;
  retainAvailable: boolean;
  /** Seconds, when the broker overrides our keep-alive [MQTT-3.2.2-21]. */
  serverKeepAlive: number | undefined;
  assignedClientIdentifier: string | undefined;
  /** How many topic aliases we may set towards the broker on this connection (0: none). */
  topicAliasMaximum: number;
}

const NO_LIMITS: BrokerLimits = {
  receiveMaximum: 65_535,
  maximumPacketSize: 268_435_460,
  maximumQoS: 2,
  retainAvailable: true,
  serverKeepAlive: undefined,
  assignedClientIdentifier: undefined,
  topicAliasMaximum: 0,
};

/**
 * Everything that differs between MQTT 3.1.1 and 5.0, in one place, so that the session is one
 * machine for both.
 */
export interface VersionPolicy {
  readonly version: ProtocolVersion;
  /**
   * 3.1.1 may resend an unacknowledged PUBLISH or PUBREL in-session after a timeout; 5.0 forbids
   * resending at any time but on reconnect [MQTT-4.4.0-1], so a timeout closes the connection.
   */
  readonly resendInSession: boolean;
  /** The version to try once when the broker refuses this one as unsupported (5.0 → 3.1.1). */
  readonly fallback: VersionPolicy | undefined;
  /**
   * Whether a broker that closes the first connection after our CONNECT, before any CONNACK, is
   * taken to refuse this version: a 3.1.1 broker closes on a CONNECT it cannot parse without a CONNACK [MQTT-3.1.4-1],
   * and RabbitMQ 3.10 does, so with 5.0 that close gets the fallback too.
   */
  readonly closeRefusesVersion: boolean;
  /** Whether a password goes only with a user name (3.1.1, 3.1.2.9). */
  readonly passwordNeedsUsername: boolean;
  /** Whether an ack's reason code refuses the message (5.0, 0x80 and up) [MQTT-4.4.0-2]. */
  refuses(reasonCode: number | undefined): boolean;
  connectPacket(options: SessionOptions, clientId: string): ConnectPacket;
  limits(connack: ConnackPacket): BrokerLimits;
  /** The CONNACK refuses because the broker does not speak this version. */
  refusesVersion(connack: ConnackPacket): boolean;
  /** The refusal will not change by retrying (bad credentials, not authorised, banned...). */
  refusalIsPermanent(reasonCode: number): boolean;
  /**
   * The refusals of the credentials (bad user name or password, not authorized): permanent for
   * the same credentials, but worth a retry with fresh ones (a token fetched for each attempt).
   */
  readonly credentialRefusals: readonly number[];
  describeRefusal(reasonCode: number): string;
  /** What to send before closing on a protocol error: a 5.0 DISCONNECT with its reason. */
  disconnectFor(reasonCode: number): DisconnectPacket | undefined;
  /** The DISCONNECT that ends a connection cleanly; 3.1.1's carries no reason code or properties. */
  disconnectPacket(reasonCode: number | undefined, properties: DisconnectProperties | undefined): DisconnectPacket;
  /**
   * How many QoS 1/2 messages the broker may leave unacknowledged towards us: our Receive
   * Maximum in 5.0 (3.3.4); in 3.1.1, which has none, every packet id [MQTT-2.3.1-4].
   */
  inboundMaximum(receiveMaximum: number | undefined): number;
  /** The protocol error of a broker that sent more than `inboundMaximum` allows. */
  inboundOverflow(maximum: number): ProtocolError;
  /** The reason code a publish result reports: the ack's in 5.0; none in 3.1.1, whose acks have none. */
  resultReasonCode(reasonCode: number | undefined): number | undefined;
  /** The answer to a PUBREC or PUBREL whose packet id we do not know. */
  unknownIdAnswer(type: 'pubrel' | 'pubcomp', packetId: number): AckPacket<'pubrel' | 'pubcomp'>;
}

const V4_REFUSALS: Record<number, string> = {
  [0x01 /* Unacceptable Protocol Version */]: 'unacceptable protocol version',
  [0x02 /* Identifier Rejected */]: 'client identifier rejected',
  [0x03 /* Server Unavailable */]: 'server unavailable',
  [0x04 /* Bad User Name Or Password */]: 'bad user name or password',
  [0x05 /* Not Authorized */]: 'not authorized',
};

/** Packet ids run 1..65535: no more messages than that can be unacknowledged at once. */
const MAX_PACKET_ID = 65_535;

const V5_PERMANENT = new Set<number>([
  0x84 /* Unsupported Protocol Version */,
  0x85 /* Client Identifier Not Valid */,
  0x86 /* Bad User Name Or Password */,
  0x87 /* Not Authorized */,
  0x8a /* Banned */,
  0x8c /* Bad Authentication Method */,
]);

function connectPacket(options: SessionOptions, clientId: string, version: ProtocolVersion): ConnectPacket {
  const packet: ConnectPacket = {
    type: 'connect',
    protocolVersion: version,
    clientId,
    clean: options.clean,
    keepAlive: options.keepAlive,
  };
  if (options.username !== undefined) packet.username = options.username;
  if (options.password !== undefined) packet.password = options.password;
  if (options.will !== undefined) {
    const { properties, ...will } = options.will;
    packet.will = version === 5 && properties !== undefined ? options.will : will;
  }
  if (version === 5) {
    const properties: ConnectProperties = { ...options.connectProperties };
    if (options.sessionExpiryInterval !== undefined) properties.sessionExpiryInterval = options.sessionExpiryInterval;
    if (options.receiveMaximum !== undefined) properties.receiveMaximum = options.receiveMaximum;
    if (options.maximumPacketSize !== undefined) properties.maximumPacketSize = options.maximumPacketSize;
    if (options.topicAliasMaximum !== undefined) properties.topicAliasMaximum = options.topicAliasMaximum;
    if (Object.keys(properties).length > 0) packet.properties = properties;
  }
  return packet;
}

export const V4_POLICY: VersionPolicy = {
  version: 4,
  resendInSession: true,
  fallback: undefined,
  closeRefusesVersion: false,
  passwordNeedsUsername: true,
  refuses: () => false,
  connectPacket: (options, clientId) => connectPacket(options, clientId, 4),
  limits: () => NO_LIMITS,
  refusesVersion: (connack) => connack.reasonCode === 0x01 /* Unacceptable Protocol Version */,
  refusalIsPermanent: (code) => code !== 0x03 /* Server Unavailable */,
  credentialRefusals: [0x04 /* Bad User Name Or Password */, 0x05 /* Not Authorized */],
  describeRefusal: (code) => `the broker refused the connection: ${V4_REFUSALS[code] ?? `return code ${code}`}`,
  disconnectFor: () => undefined,
  disconnectPacket: () => ({ type: 'disconnect' }),
  inboundMaximum: () => MAX_PACKET_ID,
  // More than every packet id unacknowledged: the broker reused one still in use [MQTT-2.3.1-4].
  inboundOverflow: (maximum) =>
    new ProtocolError(0x82 /* Protocol Error */, `the broker sent more than ${maximum} unacknowledged QoS 1/2 messages: it reused a packet id still in use`),
  resultReasonCode: () => undefined,
  unknownIdAnswer: (type, packetId) => ({ type, packetId }),
};

export const V5_POLICY: VersionPolicy = {
  version: 5,
  resendInSession: false,
  fallback: V4_POLICY,
  closeRefusesVersion: true,
  passwordNeedsUsername: false,
  refuses: (reasonCode) => reasonCode !== undefined && reasonCode >= 0x80,
  connectPacket: (options, clientId) => connectPacket(options, clientId, 5),
  limits: (connack) => {
    const p = connack.properties ?? {};
    return {
      receiveMaximum: p.receiveMaximum ?? NO_LIMITS.receiveMaximum,
      maximumPacketSize: p.maximumPacketSize ?? NO_LIMITS.maximumPacketSize,
      maximumQoS: p.maximumQoS ?? 2,
      retainAvailable: p.retainAvailable ?? true,
      serverKeepAlive: p.serverKeepAlive,
      assignedClientIdentifier: p.assignedClientIdentifier,
      topicAliasMaximum: p.topicAliasMaximum ?? 0,
    };
  },
  // A 3.1.1-only broker answers a 5.0 CONNECT with its own CONNACK, return code 0x01
  // [MQTT-3.1.2-2]; a 5.0 broker that refuses 5.0 says 0x84.
  refusesVersion: (connack) =>
    connack.reasonCode === 0x84 /* Unsupported Protocol Version */ ||
    (connack.properties === undefined && connack.reasonCode === 0x01 /* Unacceptable Protocol Version */),
  refusalIsPermanent: (code) => V5_PERMANENT.has(code),
  credentialRefusals: [0x86 /* Bad User Name Or Password */, 0x87 /* Not Authorized */],
  describeRefusal: (code) => `the broker refused the connection: ${reasonCodeText(code)}`,
  disconnectFor: (reasonCode) => ({ type: 'disconnect', reasonCode }),
  disconnectPacket: (reasonCode, properties) => {
    const packet: DisconnectPacket = { type: 'disconnect' };
    if (reasonCode !== undefined) packet.reasonCode = reasonCode;
    if (properties !== undefined) packet.properties = properties;
    return packet;
  },
  inboundMaximum: (receiveMaximum) => receiveMaximum ?? MAX_PACKET_ID,
  inboundOverflow: (maximum) =>
    new ProtocolError(0x93 /* Receive Maximum Exceeded */, `the broker sent more than ${maximum} unacknowledged QoS 1/2 messages, our Receive Maximum`),
  resultReasonCode: (reasonCode) => reasonCode,
  // 0x92: Packet Identifier not found (3.6.2.1, 3.7.2.1).
  unknownIdAnswer: (type, packetId) => ({ type, packetId, reasonCode: 0x92 /* Packet Identifier Not Found */ }),
};

export function policyFor(version: ProtocolVersion): VersionPolicy {
  return version === 5 ? V5_POLICY : V4_POLICY;
}
