import type { DecodeError } from '../codec/errors';
import type { ConnackPacket, Packet, ProtocolVersion, QoS, Subscription, Will } from '../codec/packet';
import type {
  AckProperties,
  ConnectProperties,
  DisconnectProperties,
  PublishProperties,
  SubackProperties,
  SubscribeProperties,
  UnsubackProperties,
  UnsubscribeProperties,
} from '../codec/properties';
import type { MqttError } from '../errors';
import type { OutboxChange, OutboxSnapshot, OutgoingRecord } from '../ports/outbox-store';

/** A message to publish, as the application gave it. The session never changes it. */
export interface PublishRequest {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: PublishProperties;
}

/** A message received from the broker. */
export interface ReceivedMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  properties?: PublishProperties;
  /**
   * @internal QoS 1/2: the broker's packet id, which a resend in the same session keeps
   * [MQTT-4.4.0-1]; kept from the application (`DeliveredMessage.packetIdOf`).
   */
  packetId?: number;
}

/** How a publish ended well. */
export interface PublishResult {
  /** The outbox sequence id. */
  id: number;
  /** Absent from `delivered(id)` for a message the outbox no longer holds. */
  qos?: QoS;
  /** The packet id it was acknowledged under (QoS 1 and 2). */
  packetId?: number;
  /** The acknowledgement's reason code (5.0; 0x10 "no matching subscribers" is a success). */
  reasonCode?: number;
  properties?: AckProperties;
  /**
   * Present only when the broker acknowledged the message with another QoS's flow than the one
   * it was sent at: 1 when a QoS 2 message got a PUBACK (RabbitMQ does this: the broker has it,
   * at least once, not exactly once), 2 when a QoS 1 message got a PUBREC (its flow was then
   * finished as QoS 2). The `warning` event reports the deviation once per connection.
   */
  acknowledgedAtQos?: 1 | 2;
}

/** How a subscribe ended: one granted QoS per topic filter, in order. */
export interface SubscribeResult {
  granted: QoS[];
  reasonCodes: number[];
  properties?: SubackProperties;
}

/** What `unsubscribe()` resolves with: the broker's UNSUBACK. */
export interface UnsubscribeResult {
  /** 5.0 only: one reason code per topic filter (0x11: there was no such subscription). */
  reasonCodes?: number[];
  properties?: UnsubackProperties;
}

/** What an outgoing QoS 1 or 2 message looks like from outside: its outbox record. */
export type OutboxEntry = OutgoingRecord;

/** The session's settings; the client fills in its defaults. */
export interface SessionOptions {
  clientId: string;
  /** Clean Session (3.1.1) or Clean Start (5.0) on every connection. */
  clean: boolean;
  /** Seconds; 0 turns keep-alive off. */
  keepAlive: number;
  protocolVersion: ProtocolVersion;
  /** When a broker refuses 5.0 as an unsupported protocol version, try 3.1.1 once. */
  fallbackToV4: boolean;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  /** 5.0: how long the broker keeps the session after a disconnect, in seconds. */
  sessionExpiryInterval?: number;
  /** 5.0: how many QoS 1/2 messages the broker may have unacknowledged towards us. */
  receiveMaximum?: number;
  /** 5.0: the largest packet we accept, in bytes. */
  maximumPacketSize?: number;
  /** 5.0: how many topic aliases the broker may use towards us. */
  topicAliasMaximum?: number;
  /** 5.0: give the topics we publish to aliases, within the broker's Topic Alias Maximum. */
  autoTopicAliases?: boolean;
  /** Other CONNECT properties (user properties, problem information). */
  connectProperties?: ConnectProperties;
  /**
   * 5.0 enhanced authentication [MQTT-4.12]: the Authentication Method of CONNECT. With it, the
   * session asks its driver for each Authentication Data (an `authenticate` action) and is told
   * the answer (`authAnswered` or `authFailed`).
   */
  authenticationMethod?: string;
  /** The most QoS 1/2 PUBLISHes unacknowledged at once (also capped by the broker's Receive Maximum). */
  maxInflight: number;
  /** After this long without an ack: resend in-session (3.1.1) or reconnect (5.0). 0: never. */
  ackTimeoutMs: number;
  connectTimeoutMs: number;
  /** How long to wait for PINGRESP before the connection counts as dead. */
  pingTimeoutMs: number;
  /** QoS 0 messages kept while offline or while the transport is congested. */
  maxQueuedQoS0: number;
  /** QoS 1/2 messages owed at most; beyond it publish() is refused. */
  maxQueuedMessages: number;
}

/** Everything that can happen to the session. Each comes with `now` (ms) to `handle`. */
export type SessionInput =
  /** What the outbox held when the client started; before the first connection. */
  | { type: 'restore'; snapshot: OutboxSnapshot }
  /**
   * A connection opened to broker `broker` (its index in the client's list of brokers, 0 when
   * there is one): the session speaks to it the version it last spoke there.
   */
  | {
      type: 'connectionOpened';
      broker?: number;
      username?: string;
      password?: Uint8Array;
      /** The credentials were fetched for this attempt (a `beforeConnect` hook): a refusal of them may be retried. */
      freshCredentials?: boolean;
    }
  | { type: 'connectionLost'; error?: MqttError }
  | { type: 'packetReceived'; packet: Packet }
  | { type: 'decodeFailed'; error: DecodeError }
  /** `id` is the message's outbox sequence id, greater than every id before it. */
  | { type: 'publishRequested'; id: number; message: PublishRequest }
  | { type: 'subscribeRequested'; id: number; subscriptions: Subscription[]; properties?: SubscribeProperties }
  | { type: 'unsubscribeRequested'; id: number; topicFilters: string[]; properties?: UnsubscribeProperties }
  /** The application no longer wants message `id` sent (its AbortSignal fired). */
  | { type: 'abortRequested'; id: number }
  /** Awaited outbox writes are durable: outgoing record ids and incoming packet ids. */
  | { type: 'stored'; ids: number[]; incoming: number[] }
  | { type: 'storeFailed'; ids: number[]; incoming: number[]; error: MqttError }
  | { type: 'timerExpired' }
  /** The transport asked us to wait (`write` returned false), then to go on. */
  | { type: 'transportBlocked' }
  | { type: 'transportDrained' }
  /** Whether the application can take messages now; while it cannot, new ones wait unacknowledged. */
  | { type: 'deliveryHeld'; held: boolean }
  /** The application has delivered message `deliveryId` (a `deliver` action's): its ack may go. */
  | { type: 'ackRequested'; deliveryId: number }
  /** Close cleanly: DISCONNECT, then close. What is owed stays owed. */
  | { type: 'disconnectRequested'; reasonCode?: number; properties?: DisconnectProperties }
  /** End by force: every pending operation is rejected; durable records stay for the next start. */
  | { type: 'endRequested' }
  /** The application's answer to `authenticate` action `exchange`: the Authentication Data to send (none for a `success` step). */
  | { type: 'authAnswered'; exchange: number; data?: Uint8Array }
  /** The application's handler threw for `authenticate` action `exchange`: the connection closes. */
  | { type: 'authFailed'; exchange: number; error: MqttError }
  /** Start a re-authentication on the open connection [MQTT-4.12.1-1]. */
  | { type: 'reauthenticateRequested' };

export type Operation = 'publish' | 'subscribe' | 'unsubscribe';

/** Lifecycle news the client turns into events. */
export type SessionEvent =
  | { name: 'connected'; connack: ConnackPacket; protocolVersion: ProtocolVersion }
  /**
   * We asked the broker to keep our session and it had not: owed messages go again as new, and
   * the broker no longer waits for the acks of the messages the application held.
   */
  | { name: 'sessionLost'; republished: number; settledAsDelivered: number; unacknowledgedReceived: number }
  /** The broker refused the connection; `retry` says what the client should do next. */
  | { name: 'refused'; error: MqttError; retry: 'now' | 'later' | 'never' }
  /** The first connection to a broker closed before CONNACK: retry it now with 3.1.1. */
  | { name: 'fallback' }
  /** The broker sent DISCONNECT (5.0). */
  | { name: 'serverDisconnect'; reasonCode: number; properties?: DisconnectProperties }
  /** Something odd but harmless (an ack for nothing, a fallback to 3.1.1). */
  | { name: 'warning'; error: MqttError }
  /** A re-authentication ended: with the broker's AUTH success, or with why it failed (the connection then closes). */
  | { name: 'reauthenticated'; error?: MqttError };

/**
 * A step of enhanced authentication [MQTT-4.12]: `start` asks for the initial data (of CONNECT,
 * or of the AUTH that re-authenticates), `continue` for the answer to the broker's challenge,
 * `success` hands over the broker's final data to verify (a throw closes the connection).
 */
export type AuthStep = 'start' | 'continue' | 'success';

/** How one operation settled: with its result, or with an error. */
type Settled<O extends Operation, R> =
  | { type: 'settle'; operation: O; id: number; result: R; error?: undefined }
  | { type: 'settle'; operation: O; id: number; error: MqttError; result?: undefined };

/** An operation's end, typed by the operation: a publish settles with a PublishResult, and so on. */
export type SettleAction =
  | Settled<'publish', PublishResult>
  | Settled<'subscribe', SubscribeResult>
  | Settled<'unsubscribe', UnsubscribeResult>;

/** What the session asks its driver to do, in order. */
export type SessionAction =
  /** `settleWhenWritten`: a QoS 0 publish settles once its bytes are written, not before. */
  | { type: 'send'; packet: Packet; settleWhenWritten?: SettleAction }
  /** Write to the outbox; when `awaited`, report back with a `stored` input. */
  | { type: 'persist'; change: OutboxChange; awaited: boolean }
  | { type: 'forget'; change: OutboxChange }
  /**
   * Hand a message to the application. `deliveryId` (0 at QoS 0) names it in the `ackRequested`
   * that lets its PUBACK or PUBREC go, once the application has it.
   */
  | { type: 'deliver'; message: ReceivedMessage; deliveryId: number }
  /** The ack of message `deliveryId` went out, or never will (the broker lost the session): its `ack()` settles. */
  | { type: 'ackSent'; deliveryId: number }
  | SettleAction
  | { type: 'closeConnection'; error?: MqttError }
  | { type: 'notify'; event: SessionEvent }
  /**
   * Ask the application's `authenticate` handler for a step of enhanced authentication; answer
   * with `authAnswered` or `authFailed` carrying `exchange`. The handler is asynchronous, so it
   * lives in the driver, not here.
   */
  | { type: 'authenticate'; exchange: number; step: AuthStep; data?: Uint8Array; reauthentication: boolean };
