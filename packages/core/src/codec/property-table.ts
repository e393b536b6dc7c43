import type { Properties } from './properties';
import type { PropertyContexts } from './property-field';

/** How a property's value is written on the wire (section 1.5). */
export const BYTE = 0; // only Maximum QoS, whose byte is 0 or 1 (3.2.2.3.4), kept as a number
export const FLAG = 1; // a byte that must be 0 or 1, a boolean here
export const U16 = 2;
export const U32 = 3;
export const VARINT = 4;
export const STRING = 5;
export const BINARY = 6;
export const PAIR = 7;

export interface PropertyDefinition {
  id: number;
  name: keyof Properties;
  kind: number;
  contexts: number;
  /** A value of 0 is a protocol error, with this reason code. */
  zeroReasonCode?: number;
}

/**
 * The property identifiers of section 2.2.2.2 and the packets each may appear in, indexed by
 * identifier (0x0B has two entries told apart by context) and by name. The contexts are handed in:
 * this table is loaded lazily and imports nothing at run time (see property-field.ts).
 */
export function propertyTable(contexts: PropertyContexts) {
  const [IN_ACK, IN_AUTH, IN_CONNACK, IN_CONNECT, IN_DISCONNECT, IN_PUBLISH, IN_SUBACK, IN_SUBSCRIBE, IN_UNSUBACK, IN_WILL] = contexts;
  const EVERY_PACKET = (IN_WILL << 1) - 1;
  const MESSAGE = IN_PUBLISH | IN_WILL;
  const REASON_STRING = IN_CONNACK | IN_ACK | IN_SUBACK | IN_UNSUBACK | IN_DISCONNECT | IN_AUTH;
  const definitions: PropertyDefinition[] = [
    { id: 0x01, name: 'payloadFormatIndicator', kind: FLAG, contexts: MESSAGE },
    { id: 0x02, name: 'messageExpiryInterval', kind: U32, contexts: MESSAGE },
    { id: 0x03, name: 'contentType', kind: STRING, contexts: MESSAGE },
    { id: 0x08, name: 'responseTopic', kind: STRING, contexts: MESSAGE },
    { id: 0x09, name: 'correlationData', kind: BINARY, contexts: MESSAGE },
    // 0x0B repeats in PUBLISH (one per matching subscription) and appears once in SUBSCRIBE.
    { id: 0x0b, name: 'subscriptionIdentifiers', kind: VARINT, contexts: IN_PUBLISH, zeroReasonCode: 0x82 },
    { id: 0x0b, name: 'subscriptionIdentifier', kind: VARINT, contexts: IN_SUBSCRIBE, zeroReasonCode: 0x82 },
    { id: 0x11, name: 'sessionExpiryInterval', kind: U32, contexts: IN_CONNECT | IN_CONNACK | IN_DISCONNECT },
    { id: 0x12, name: 'assignedClientIdentifier', kind: STRING, contexts: IN_CONNACK },
    { id: 0x13, name: 'serverKeepAlive', kind: U16, contexts: IN_CONNACK },
    { id: 0x15, name: 'authenticationMethod', kind: STRING, contexts: IN_CONNECT | IN_CONNACK | IN_AUTH },
    { id: 0x16, name: 'authenticationData', kind: BINARY, contexts: IN_CONNECT | IN_CONNACK | IN_AUTH },
    { id: 0x17, name: 'requestProblemInformation', kind: FLAG, contexts: IN_CONNECT },
    { id: 0x18, name: 'willDelayInterval', kind: U32, contexts: IN_WILL },
    { id: 0x19, name: 'requestResponseInformation', kind: FLAG, contexts: IN_CONNECT },
    { id: 0x1a, name: 'responseInformation', kind: STRING, contexts: IN_CONNACK },
    { id: 0x1c, name: 'serverReference', kind: STRING, contexts: IN_CONNACK | IN_DISCONNECT },
    { id: 0x1f, name: 'reasonString', kind: STRING, contexts: REASON_STRING },
    // A Receive Maximum of 0 is a protocol error (3.1.2.11.3, 3.2.2.3.3).
    { id: 0x21, name: 'receiveMaximum', kind: U16, contexts: IN_CONNECT | IN_CONNACK, zeroReasonCode: 0x82 },
    { id: 0x22, name: 'topicAliasMaximum', kind: U16, contexts: IN_CONNECT | IN_CONNACK },
    // A Topic Alias of 0 is not permitted [MQTT-3.3.2-8]; the receiver answers 0x94.
    { id: 0x23, name: 'topicAlias', kind: U16, contexts: IN_PUBLISH, zeroReasonCode: 0x94 },
    { id: 0x24, name: 'maximumQoS', kind: BYTE, contexts: IN_CONNACK },
    { id: 0x25, name: 'retainAvailable', kind: FLAG, contexts: IN_CONNACK },
    { id: 0x26, name: 'userProperties', kind: PAIR, contexts: EVERY_PACKET },
    // A Maximum Packet Size of 0 is a protocol error (3.1.2.11.4, 3.2.2.3.6).
    { id: 0x27, name: 'maximumPacketSize', kind: U32, contexts: IN_CONNECT | IN_CONNACK, zeroReasonCode: 0x82 },
    { id: 0x28, name: 'wildcardSubscriptionAvailable', kind: FLAG, contexts: IN_CONNACK },
    { id: 0x29, name: 'subscriptionIdentifierAvailable', kind: FLAG, contexts: IN_CONNACK },
    { id: 0x2a, name: 'sharedSubscriptionAvailable', kind: FLAG, contexts: IN_CONNACK },
  ];

  const byId: (PropertyDefinition[] | undefined)[] = [];
  const byName: Record<string, PropertyDefinition> = Object.create(null);
  for (const definition of definitions) {
    (byId[definition.id] ??= []).push(definition);
    byName[definition.name] = definition;
  }
  return { byId, byName };
}
