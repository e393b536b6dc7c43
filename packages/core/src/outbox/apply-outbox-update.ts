import type { OutboxChange, OutgoingRecord } from '../ports/outbox-store';

/**
 * Applies an 'update' change to the record it names: its new state, and its packet id (none when
 * the change has none). For outbox implementations, so that each applies an update the same way.
 */
export function applyOutboxUpdate(record: OutgoingRecord, change: Extract<OutboxChange, { op: 'update' }>): void {
  record.state = change.state;
  if (change.packetId === undefined) delete record.packetId;
  else record.packetId = change.packetId;
}
