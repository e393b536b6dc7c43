import type {
  AckProperties,
  AuthProperties,
  ConnackProperties,
  ConnectProperties,
  DisconnectProperties,
  PublishProperties,
  SubackProperties,
  SubscribeProperties,
  UnsubackProperties,
  UnsubscribeProperties,
  WillProperties,
} from './properties';

/** MQTT protocol level on the wire: 4 is MQTT 3.1.1, 5 is MQTT 5.0. */
export type ProtocolVersion = 4 | 5;

/** Quality of service: 0 at most once, 1 at least once, 2 exactly once. */
export type QoS = 0 | 1 | 2;

/** The message a broker publishes for a client whose connection ends without a clean DISCONNECT. */
export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: WillProperties;
}

/** CONNECT: the first packet a client sends. `keepAlive` is in seconds, as on the wire. */
export interface ConnectPacket {
  type: 'connect';
  protocolVersion: ProtocolVersion;
  clientId: string;
  /** Clean Session (3.1.1) or Clean Start (5.0). */
  clean: boolean;
  keepAlive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  properties?: ConnectProperties;
}

/** CONNACK. In 3.1.1 `reasonCode` carries the connect return code (0 to 5). */
export interface ConnackPacket {
  type: 'connack';
  sessionPresent: boolean;
  reasonCode: number;
  properties?: ConnackProperties;
}

/**
 * PUBLISH. `packetId` is present exactly when `qos` is 1 or 2. A decoded payload is a view into
 * the bytes the decoder was given, not a copy.
 */
export interface PublishPacket {
  type: 'publish';
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  dup: boolean;
  retain: boolean;
  packetId?: number;
  properties?: PublishProperties;
}

/** PUBACK, PUBREC, PUBREL and PUBCOMP share one shape. A decoded ack always has a `reasonCode`. */
export interface AckPacket<T extends 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'> {
  type: T;
  packetId: number;
  reasonCode?: number;
  properties?: AckProperties;
}
/** PUBACK: the broker's (or client's) acknowledgement that ends a QoS 1 flow. */
export type PubackPacket = AckPacket<'puback'>;
/** PUBREC: the first acknowledgement of a QoS 2 flow ("received"); answered with PUBREL. */
export type PubrecPacket = AckPacket<'pubrec'>;
/** PUBREL: the sender's release of a QoS 2 message after PUBREC; answered with PUBCOMP. */
export type PubrelPacket = AckPacket<'pubrel'>;
/** PUBCOMP: the final acknowledgement that ends a QoS 2 flow. */
export type PubcompPacket = AckPacket<'pubcomp'>;

/** One topic filter of a SUBSCRIBE with its subscription options (the last three are 5.0 only). */
export interface Subscription {
  topicFilter: string;
  qos: QoS;
  noLocal?: boolean;
  retainAsPublished?: boolean;
  /** 0: send retained messages at subscribe; 1: only if the subscription is new; 2: never. */
  retainHandling?: 0 | 1 | 2;
}

/** SUBSCRIBE: one or more topic filters, each with its requested QoS and options. */
export interface SubscribePacket {
  type: 'subscribe';
  packetId: number;
  subscriptions: Subscription[];
  properties?: SubscribeProperties;
}

/** SUBACK: one granted QoS (0, 1, 2) or failure code (0x80 and up) per requested filter. */
export interface SubackPacket {
  type: 'suback';
  packetId: number;
  reasonCodes: number[];
  properties?: SubackProperties;
}

/** UNSUBSCRIBE: the topic filters to remove, answered by UNSUBACK. */
export interface UnsubscribePacket {
  type: 'unsubscribe';
  packetId: number;
  topicFilters: string[];
  properties?: UnsubscribeProperties;
}

/** UNSUBACK. 3.1.1 has no reason codes; 5.0 has one per filter. */
export interface UnsubackPacket {
  type: 'unsuback';
  packetId: number;
  reasonCodes?: number[];
  properties?: UnsubackProperties;
}

/** PINGREQ: the client's keep-alive probe. */
export interface PingreqPacket {
  type: 'pingreq';
}

/** PINGRESP: the broker's answer to PINGREQ. */
export interface PingrespPacket {
  type: 'pingresp';
}

/** DISCONNECT. 3.1.1 has no reason code; a decoded one always has `reasonCode` (0 by default). */
export interface DisconnectPacket {
  type: 'disconnect';
  reasonCode?: number;
  properties?: DisconnectProperties;
}

/** AUTH (5.0 only): extended authentication exchange. */
export interface AuthPacket {
  type: 'auth';
  reasonCode?: number;
  properties?: AuthProperties;
}

/** Every MQTT control packet, for both protocol versions, discriminated by `type`. */
export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

/** The `type` tag of a {@link Packet} (`'connect'`, `'publish'`, ...): use it to switch on a decoded packet. */
export type PacketType = Packet['type'];
