import {
  AbortError,
  ClientEndedError,
  ClientEventBus,
  ConnectionError,
  ConnectRefusedError,
  DeliveredMessage,
  Delivery,
  InvalidArgumentError,
  MqttError,
  OutboxError,
  ProtocolError,
  PublishRejectedError,
  QueueFullError,
  SubscribeRejectedError,
  topicFilterProblem,
  topicMatches,
  topicNameProblem,
} from '@courier/core';
import { indexedDbOutbox } from '../default-outbox';
import type { HandedParts, SharingParts } from './core-parts';

/** The parts the sharing code is handed (see core-parts.ts), with the browser's `createClient`: in the order of PART_NAMES. */
export function sharingParts(createClient: SharingParts['createClient']): HandedParts {
  return [
    AbortError,
    ClientEndedError,
    ClientEventBus,
    ConnectionError,
    ConnectRefusedError,
    DeliveredMessage,
    Delivery,
    InvalidArgumentError,
    MqttError,
    OutboxError,
    ProtocolError,
    PublishRejectedError,
    QueueFullError,
    SubscribeRejectedError,
    topicFilterProblem,
    topicMatches,
    topicNameProblem,
    createClient,
    indexedDbOutbox,
  ];
}
