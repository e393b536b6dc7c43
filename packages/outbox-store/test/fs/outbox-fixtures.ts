import { MemoryOutbox, type OutboxChange, type OutboxSnapshot, type OutgoingRecord } from '@courier/core';

/** An outgoing record with defaults, as the contract suite makes them. */
export function record(id: number, extra: Partial<OutgoingRecord> = {}): OutgoingRecord {
  return { id, topic: `sensors/${id}`, payload: Uint8Array.of(id & 0xff, 0, 255, id >> 8), qos: 1, retain: false, state: 'queued', ...extra };
}

/** What an outbox holds after `writes`, according to MemoryOutbox (the reference). */
export async function expectedAfter(writes: readonly (readonly OutboxChange[])[]): Promise<Omit<OutboxSnapshot, 'damage'>> {
  const memory = new MemoryOutbox();
  const outbox = await memory.open('reference');
  for (const changes of writes) outbox.write(changes);
  await outbox.close();
  const { restored } = await memory.open('reference');
  return { outgoing: restored.outgoing, incoming: [...restored.incoming].sort((a, b) => a - b), nextId: restored.nextId };
}

/** What `restored` holds, without the damage report. */
export function contentOf(restored: OutboxSnapshot): Omit<OutboxSnapshot, 'damage'> {
  return { outgoing: restored.outgoing, incoming: restored.incoming, nextId: restored.nextId };
}
