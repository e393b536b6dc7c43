import type * as core from '@courier/core';
import type { createClient } from '../create-client';
import type { indexedDbOutbox } from '../default-outbox';

/**
 * What the sharing code uses at run time of `@courier/core`, handed in rather than imported: it
 * is loaded with import() on first use, and a lazily loaded module that imported what the app's
 * start also uses would make the bundler split that off into a start chunk of its own (one more
 * request, and more gzip at start), as for the IndexedDB outbox (outbox-store/src/idb/core-parts.ts).
 * They are handed as a list in the order of PART_NAMES (`HandedParts`): names of properties would
 * stay in the app's start, minified or not (109 B gzip, measured on 2026-12-07).
 */
export interface CoreParts {
  AbortError: typeof core.AbortError;
  ClientEndedError: typeof core.ClientEndedError;
  ClientEventBus: typeof core.ClientEventBus;
  ConnectionError: typeof core.ConnectionError;
  ConnectRefusedError: typeof core.ConnectRefusedError;
  DeliveredMessage: typeof core.DeliveredMessage;
  Delivery: typeof core.Delivery;
  InvalidArgumentError: typeof core.InvalidArgumentError;
  MqttError: typeof core.MqttError;
  OutboxError: typeof core.OutboxError;
  ProtocolError: typeof core.ProtocolError;
  PublishRejectedError: typeof core.PublishRejectedError;
  QueueFullError: typeof core.QueueFullError;
  SubscribeRejectedError: typeof core.SubscribeRejectedError;
  topicFilterProblem: typeof core.topicFilterProblem;
  topicMatches: typeof core.topicMatches;
  topicNameProblem: typeof core.topicNameProblem;
}

/** The core's parts and the browser client's own, for the code that starts an owner. */
export interface SharingParts extends CoreParts {
  createClient: typeof createClient;
  indexedDbOutbox: typeof indexedDbOutbox;
}

/** The order in which `sharingParts()` (sharing-parts.ts) lists the parts. */
export const PART_NAMES = [
  'AbortError',
  'ClientEndedError',
  'ClientEventBus',
  'ConnectionError',
  'ConnectRefusedError',
  'DeliveredMessage',
  'Delivery',
  'InvalidArgumentError',
  'MqttError',
  'OutboxError',
  'ProtocolError',
  'PublishRejectedError',
  'QueueFullError',
  'SubscribeRejectedError',
  'topicFilterProblem',
  'topicMatches',
  'topicNameProblem',
  'createClient',
  'indexedDbOutbox',
] as const satisfies readonly (keyof SharingParts)[];

/** The parts as the start code hands them: values in the order of PART_NAMES. */
export type HandedParts = ValuesOf<typeof PART_NAMES>;

type ValuesOf<Names extends readonly (keyof SharingParts)[]> = { -readonly [K in keyof Names]: Names[K] extends keyof SharingParts ? SharingParts[Names[K]] : never };

/** The parts by name again. */
export function partsOf(handed: HandedParts): SharingParts {
  return Object.fromEntries(PART_NAMES.map((name, index) => [name, handed[index]])) as unknown as SharingParts;
}
