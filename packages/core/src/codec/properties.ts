/**
 * MQTT 5.0 properties (section 2.2.2), under the spec's names in camelCase. A 3.1.1 packet has
 * none. Flags that the spec encodes as a byte of 0 or 1 are booleans here.
 */
export interface Properties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array;
  /** In PUBLISH: every subscription identifier that matched, in the order received. */
  subscriptionIdentifiers?: number[];
  /** In SUBSCRIBE: the one identifier of this subscription (1 to 268,435,455). */
  subscriptionIdentifier?: number;
  sessionExpiryInterval?: number;
  assignedClientIdentifier?: string;
  serverKeepAlive?: number;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
  requestProblemInformation?: boolean;
  willDelayInterval?: number;
  requestResponseInformation?: boolean;
  responseInformation?: string;
  serverReference?: string;
  reasonString?: string;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  topicAlias?: number;
  maximumQoS?: 0 | 1;
  retainAvailable?: boolean;
  /** Name/value pairs in their wire order; a name may repeat. */
  userProperties?: [string, string][];
  maximumPacketSize?: number;
  wildcardSubscriptionAvailable?: boolean;
  subscriptionIdentifierAvailable?: boolean;
  sharedSubscriptionAvailable?: boolean;
}

/** The MQTT 5.0 properties a CONNECT may carry. */
export type ConnectProperties = Pick<
  Properties,
  | 'sessionExpiryInterval'
  | 'receiveMaximum'
  | 'maximumPacketSize'
  | 'topicAliasMaximum'
  | 'requestResponseInformation'
  | 'requestProblemInformation'
  | 'userProperties'
  | 'authenticationMethod'
  | 'authenticationData'
>;

/** The MQTT 5.0 properties a CONNACK may carry: the limits the broker sets for this connection. */
export type ConnackProperties = Pick<
  Properties,
  | 'sessionExpiryInterval'
  | 'receiveMaximum'
  | 'maximumQoS'
  | 'retainAvailable'
  | 'maximumPacketSize'
  | 'assignedClientIdentifier'
  | 'topicAliasMaximum'
  | 'reasonString'
  | 'userProperties'
  | 'wildcardSubscriptionAvailable'
  | 'subscriptionIdentifierAvailable'
  | 'sharedSubscriptionAvailable'
  | 'serverKeepAlive'
  | 'responseInformation'
  | 'serverReference'
  | 'authenticationMethod'
  | 'authenticationData'
>;

/** The MQTT 5.0 properties of a will message. */
export type WillProperties = Pick<
  Properties,
  | 'willDelayInterval'
  | 'payloadFormatIndicator'
  | 'messageExpiryInterval'
  | 'contentType'
  | 'responseTopic'
  | 'correlationData'
  | 'userProperties'
>;

/** The MQTT 5.0 properties a PUBLISH may carry. */
export type PublishProperties = Pick<
  Properties,
  | 'payloadFormatIndicator'
  | 'messageExpiryInterval'
  | 'topicAlias'
  | 'responseTopic'
  | 'correlationData'
  | 'userProperties'
  | 'subscriptionIdentifiers'
  | 'contentType'
>;

/** PUBACK, PUBREC, PUBREL, PUBCOMP. */
export type AckProperties = Pick<Properties, 'reasonString' | 'userProperties'>;
/** The MQTT 5.0 properties a SUBSCRIBE may carry. */
export type SubscribeProperties = Pick<Properties, 'subscriptionIdentifier' | 'userProperties'>;
/** The MQTT 5.0 properties a SUBACK may carry. */
export type SubackProperties = Pick<Properties, 'reasonString' | 'userProperties'>;
/** The MQTT 5.0 properties an UNSUBSCRIBE may carry. */
export type UnsubscribeProperties = Pick<Properties, 'userProperties'>;
/** The MQTT 5.0 properties an UNSUBACK may carry. */
export type UnsubackProperties = Pick<Properties, 'reasonString' | 'userProperties'>;
/** The MQTT 5.0 properties a DISCONNECT may carry. */
export type DisconnectProperties = Pick<
  Properties,
  'sessionExpiryInterval' | 'reasonString' | 'userProperties' | 'serverReference'
>;
/** The MQTT 5.0 properties an AUTH packet may carry. */
export type AuthProperties = Pick<
  Properties,
  'authenticationMethod' | 'authenticationData' | 'reasonString' | 'userProperties'
>;
