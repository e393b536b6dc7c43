export type { Clock, Timer } from './clock';
export type {
  Outbox,
  OutboxChange,
  OutboxDamage,
  OutboxSnapshot,
  OutboxStore,
  OutboxOpenHooks,
  OutgoingRecord,
  OutgoingState,
} from './outbox-store';
export type { Connection, Transport, TransportHandlers } from './transport';
