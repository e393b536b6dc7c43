// The IndexedDB outbox in real Chromium: the OutboxStore contract, and one tab per client id.
import { describe, expect, test } from 'vitest';
import { outboxStoreContract } from '@courier/core/testing';
import { indexedDbOutbox } from '@courier/outbox-store/idb';

async function deleteDatabases(prefix: string): Promise<void> {
  for (const { name } of await indexedDB.databases()) {
    if (name?.startsWith(`${prefix}:`)) {
      await new Promise<void>((resolve) => {
        const request = indexedDB.deleteDatabase(name);
        request.onsuccess = () => resolve();
        request.onerror = () => resolve();
      });
    }
  }
}

let run = 0;
outboxStoreContract('indexedDbOutbox in Chromium', async () => {
  const name = `contract-${Date.now()}-${run++}`;
  return {
    store: indexedDbOutbox({ name }),
    reopen: async () => indexedDbOutbox({ name }),
    cleanup: () => deleteDatabases(name),
  };
});

describe('one tab per client id (Web Locks)', () => {
  test("lock: 'fail' refuses a second open with OutboxError while the first is open", async () => {
    const name = `lock-fail-${Date.now()}`;
    const first = await indexedDbOutbox({ name }).open('c1');
    await expect(indexedDbOutbox({ name, lock: 'fail' }).open('c1')).rejects.toMatchObject({ code: 'ERR_OUTBOX' });
    await first.close();
    const again = await indexedDbOutbox({ name, lock: 'fail' }).open('c1');
    await again.close();
    await deleteDatabases(name);
  });

  test("lock: 'wait' (the default) opens once the holder closes, with what it wrote", async () => {
    const name = `lock-wait-${Date.now()}`;
    const first = await indexedDbOutbox({ name }).open('c1');
    await first.write([{ op: 'put', record: { id: 7, topic: 't', payload: Uint8Array.of(1), qos: 2, retain: false, state: 'queued' } }]);
    let opened = false;
    const second = indexedDbOutbox({ name }).open('c1').then((outbox) => {
      opened = true;
      return outbox;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened).toBe(false);
    await first.close();
    const outbox = await second;
    expect(outbox.restored.outgoing.map((r) => r.id)).toEqual([7]);
    await outbox.close();
    await deleteDatabases(name);
  });
});

describe('writes', () => {
  const record = (id: number, state: 'queued' | 'sent' = 'queued') => ({ id, topic: 't', payload: Uint8Array.of(id), qos: 1 as const, retain: false, state });

  test('deletes of consecutive ids (stored as ranges) remove exactly those, also next to records written in the same transaction', async () => {
    const name = `ranges-${Date.now()}`;
    const outbox = await indexedDbOutbox({ name }).open('c1');
    await outbox.write(Array.from({ length: 10 }, (_, i) => ({ op: 'put' as const, record: record(i + 1) })));
    // One tick: one transaction with puts, an update and deletes in two runs.
    await Promise.all([
      outbox.write([{ op: 'delete', id: 2 }, { op: 'put', record: record(11) }]),
      outbox.write([{ op: 'delete', id: 4 }, { op: 'delete', id: 3 }, { op: 'update', id: 5, state: 'sent', packetId: 9 }]),
      outbox.write([{ op: 'put', record: record(12) }, { op: 'delete', id: 12 }, { op: 'delete', id: 7 }]),
    ]);
    await outbox.close();
    const again = await indexedDbOutbox({ name }).open('c1');
    expect(again.restored.outgoing.map((r) => r.id)).toEqual([1, 5, 6, 8, 9, 10, 11]);
    expect(again.restored.outgoing.find((r) => r.id === 5)).toMatchObject({ state: 'sent', packetId: 9 });
    expect(again.restored.nextId).toBe(13);
    await again.close();
    await deleteDatabases(name);
  });

  test('writes issued while a transaction commits all resolve, in order, and all are kept', async () => {
    const name = `group-${Date.now()}`;
    const outbox = await indexedDbOutbox({ name }).open('c1');
    const order: number[] = [];
    const writes: Promise<void>[] = [];
    for (let id = 1; id <= 200; id++) {
      writes.push(Promise.resolve(outbox.write([{ op: 'put', record: record(id) }])).then(() => void order.push(id)));
      if (id % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 0)); // across ticks
    }
    await Promise.all(writes);
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await outbox.close();
    const again = await indexedDbOutbox({ name }).open('c1');
    expect(again.restored.outgoing).toHaveLength(200);
    await again.close();
    await deleteDatabases(name);
  });
});
