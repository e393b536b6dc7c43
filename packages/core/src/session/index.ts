export { Session } from './session';
export type {
  OutboxEntry,
  PublishRequest,
  PublishResult,
  ReceivedMessage,
  SessionAction,
  SessionEvent,
  SessionInput,
  SessionOptions,
  SettleAction,
  SubscribeResult,
  UnsubscribeResult,
} from './session-types';
