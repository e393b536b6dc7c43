/**
 * The platform-free core: the MQTT 3.1.1/5.0 codec, the QoS session, the client and its ports
 * (Transport, OutboxStore, Clock). Applications import `@courier/node` or `@courier/browser`,
 * which re-export all of this; import the core directly to write a transport or an outbox.
 * The wire-level codec (packets, `encode`, `PacketDecoder`) is exported here too, and has its
 * own entry and page: `@courier/core/codec`.
 * @module @courier/core
 */
export * from './codec/index';
export { type ScramCredentials, scramSha256 } from './auth/scram-sha256';
export type { BackoffOptions } from './client/backoff';
export { type BrokerEndpoint, brokersOf } from './client/broker-list';
export type { Authenticate, BeforeConnect, ClientOptions, CreateClientOptions, WillOptions } from './client/client-options';
export type {
  AttemptCredentials,
  AuthRequest,
  AuthStep,
  ConnectAttempt,
  ClientEvents,
  ConnectInfo,
  DisconnectInfo,
  EndOptions,
  Message,
  MessagesOptions,
  PublishOptions,
  ReconnectInfo,
  SubscribeOptions,
  UnsubscribeOptions,
} from './client/client-types';
export { connectedClient, createClient } from './client/create-client';
/** @internal The event bus and the delivery of a client, for the tab clients of `@courier/browser` that share a session. */
export { ClientEventBus } from './client/client-events';
/** @internal */
export { Delivery, type DeliverySession } from './client/delivery';
/** @internal */
export { DeliveredMessage } from './client/delivered-message';
export { MqttClient } from './client/mqtt-client';
export { formatPacket, type PacketEvent } from './client/packet-tap';
export { systemClock } from './clock/system-clock';
export {
  AbortError,
  AuthenticationError,
  ClientEndedError,
  ConnectionError,
  ConnectRefusedError,
  ERR_ABORTED,
  ERR_AUTHENTICATION,
  ERR_CLIENT_ENDED,
  ERR_CONNECT_REFUSED,
  ERR_CONNECTION,
  ERR_CORRUPT_RECORD,
  ERR_DECODE,
  ERR_ENCODE,
  ERR_FALLBACK_TO_V4,
  ERR_HANDLER,
  ERR_INTERNAL,
  ERR_INVALID_ARGUMENT,
  ERR_NO_CONSUMER,
  ERR_OUTBOX,
  ERR_PROTOCOL,
  ERR_PUBLISH_REJECTED,
  ERR_QUEUE_FULL,
  ERR_SUBSCRIBE_REJECTED,
  ERR_UNEXPECTED_ACK,
  InvalidArgumentError,
  MqttError,
  type MqttErrorCode,
  OutboxError,
  ProtocolError,
  PublishRejectedError,
  QueueFullError,
  SubscribeRejectedError,
} from './errors';
export { applyOutboxUpdate } from './outbox/apply-outbox-update';
export { MemoryOutbox } from './outbox/memory-outbox';
export type * from './ports/index';
export type { OutboxEntry, PublishResult, SubscribeResult, UnsubscribeResult } from './session/session-types';
export { matchingFilter, topicFilterProblem, topicMatches, topicNameProblem } from './topic/topic-filter';
