export * from './codec/index';
export type { BackoffOptions } from './client/backoff';
export type { ClientOptions, CreateClientOptions, WillOptions } from './client/client-options';
export {
  connectedClient,
  createClient,
  MqttClient,
  type ClientEvents,
  type ConnectInfo,
  type DisconnectInfo,
  type EndOptions,
  type Message,
  type PublishOptions,
  type SubscribeOptions,
} from './client/mqtt-client';
export { systemClock } from './clock/system-clock';
export {
  AbortError,
  ClientEndedError,
  ConnectionError,
  ConnectRefusedError,
  InvalidArgumentError,
  MqttError,
  OutboxError,
  ProtocolError,
  PublishRejectedError,
  QueueFullError,
  SubscribeRejectedError,
} from './errors';
export { MemoryOutbox } from './outbox/memory-outbox';
export type * from './ports/index';
export type { OutboxEntry, PublishResult, SubscribeResult, UnsubscribeResult } from './session/session-types';
export { matchingFilter, topicFilterProblem, topicMatches, topicNameProblem } from './topic/topic-filter';
