import { describe, expect, test } from 'vitest';
import { MemoryOutbox, type OutgoingRecord } from '@courier/core';
import { outboxStoreContract } from '@courier/core/testing';

// One MemoryOutbox lives as long as the process: "reopening" is opening it again.
outboxStoreContract('MemoryOutbox', async () => {
  const store = new MemoryOutbox();
  return { store, reopen: async () => store };
});

describe('MemoryOutbox records', () => {
  test("keeps a put's record as given, and never changes it: an update makes a new one", async () => {
    const store = new MemoryOutbox();
    const outbox = await store.open('c');
    const record: OutgoingRecord = { id: 1, topic: 't', payload: new Uint8Array(1), qos: 2, retain: false, state: 'queued' };
    outbox.write([{ op: 'put', record }]);
    outbox.write([{ op: 'update', id: 1, state: 'released', packetId: 7 }]);
    expect(record).toEqual({ id: 1, topic: 't', payload: new Uint8Array(1), qos: 2, retain: false, state: 'queued' });
    await outbox.close();
    const { restored } = await store.open('c');
    expect(restored.outgoing).toEqual([{ ...record, state: 'released', packetId: 7 }]);
  });
});
