/** MQTT 5.0 reason codes (section 2.4). Values below 0x80 are success, 0x80 and up are failure. */
export const ReasonCode = {
  Success: 0x00,
  NormalDisconnection: 0x00,
  GrantedQoS0: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWillMessage: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  ContinueAuthentication: 0x18,
  ReAuthenticate: 0x19,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

/** MQTT 3.1.1 CONNACK return codes (section 3.2.2.3). */
export const ConnectReturnCode = {
  Accepted: 0x00,
  UnacceptableProtocolVersion: 0x01,
  IdentifierRejected: 0x02,
  ServerUnavailable: 0x03,
  BadUserNameOrPassword: 0x04,
  NotAuthorized: 0x05,
} as const;

function codeSet(codes: number[]): Uint8Array {
  const set = new Uint8Array(256);
  for (const code of codes) set[code] = 1;
  return set;
}

const PUBLISH_RESPONSE = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];

/**
 * Which reason codes each packet may carry in 5.0 (the table of section 2.4, and the lists of
 * 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1, 3.9.3, 3.11.3, 3.14.2.1, 3.15.2.1).
 */
export const VALID_REASON_CODES_V5 = {
  connack: codeSet([
    0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97,
    0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f,
  ]),
  puback: codeSet(PUBLISH_RESPONSE),
  pubrec: codeSet(PUBLISH_RESPONSE),
  pubrel: codeSet([0x00, 0x92]),
  pubcomp: codeSet([0x00, 0x92]),
  suback: codeSet([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]),
  unsuback: codeSet([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]),
  disconnect: codeSet([
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94,
    0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
  ]),
  auth: codeSet([0x00, 0x18, 0x19]),
} as const;

/** SUBACK return codes in 3.1.1: a granted QoS or 0x80 failure (section 3.9.3). */
/** 3.1.1 CONNACK return codes 0 to 5 (3.2.2.3); 6 to 255 are reserved. */
export const VALID_CONNACK_CODES_V4 = codeSet([0, 1, 2, 3, 4, 5]);
export const VALID_SUBACK_CODES_V4 = codeSet([0x00, 0x01, 0x02, 0x80]);

// Built on first use, so that a bundle that never asks for a name carries no name table.
let names: Record<number, string> | undefined;

/** A readable name for a 5.0 reason code, for messages and logs ('QuotaExceeded', ...). */
export function reasonCodeName(code: number): string {
  if (names === undefined) {
    names = {};
    for (const [name, value] of Object.entries(ReasonCode)) names[value] ??= name;
  }
  return names[code] ?? `0x${code.toString(16).padStart(2, '0')}`;
}

/**
 * A reason code as messages print it: its hex value and its name in words, 0x95 → "0x95 Packet
 * too large". A code without a name is printed in hex alone.
 */
export function describeReasonCode(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  const name = reasonCodeName(code);
  if (name === hex) return hex;
  const words = name.match(/QoS\d?|[A-Z][a-z]*/g) ?? [name];
  return `${hex} ${words.map((word, i) => (i === 0 || word.startsWith('QoS') ? word : word.toLowerCase())).join(' ')}`;
}
