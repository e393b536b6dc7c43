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

describe('the log (one entry per transaction)', () => {
  const record = (id: number, payload: Uint8Array) => ({ id, topic: 't', payload, qos: 1 as const, retain: false, state: 'queued' as const });

  function logKeys(databaseName: string): Promise<IDBValidKey[]> {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(databaseName);
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const db = request.result;
        const keys = db.transaction('log').objectStore('log').getAllKeys();
        keys.onsuccess = () => {
          db.close();
          resolve(keys.result);
        };
      };
    });
  }

  test('compaction replaces dead entries with the live state: a reopen has exactly what is owed', async () => {
    const name = `compact-${Date.now()}`;
    const outbox = await indexedDbOutbox({ name }).open('c1');
    // Values of hundreds of KiB took ~300 ms a transaction in Chromium; 60 KiB ones are quick.
    const payload = new Uint8Array(60 * 1024).fill(7);
    // 1.2 MiB logged in 20 entries, 60 KiB of it live at the end: past the 1 MiB floor, dead
    // outweighs live.
    for (let id = 1; id <= 20; id++) await outbox.write([{ op: 'put', record: record(id, payload) }, { op: 'delete', id: id - 1 }]);
    await outbox.close();
    const keys = await logKeys(`${name}:c1`);
    expect(keys.length).toBeLessThan(20);
    const again = await indexedDbOutbox({ name }).open('c1');
    expect(again.restored.outgoing.map((r) => r.id)).toEqual([20]);
    expect(again.restored.outgoing[0]!.payload).toEqual(payload);
    expect(again.restored.nextId).toBe(21);
    await again.close();
    await deleteDatabases(name);
  });

  test('a payload that is a view into a larger buffer is stored as its own bytes', async () => {
    const name = `view-${Date.now()}`;
    const outbox = await indexedDbOutbox({ name }).open('c1');
    const buffer = new Uint8Array(1024).fill(1);
    buffer.set([9, 8, 7], 100);
    await outbox.write([{ op: 'put', record: record(1, buffer.subarray(100, 103)) }]);
    await outbox.close();
    const again = await indexedDbOutbox({ name }).open('c1');
    const payload = again.restored.outgoing[0]!.payload;
    expect([...payload]).toEqual([9, 8, 7]);
    expect(payload.buffer.byteLength).toBe(3);
    await again.close();
    await deleteDatabases(name);
  });

  test('a version 1 database (a record per message in four stores) is migrated with its states, received ids and next id', async () => {
    const name = `v1-${Date.now()}`;
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(`${name}:c1`, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        const outgoing = db.createObjectStore('outgoing', { keyPath: 'id' });
        const states = db.createObjectStore('states');
        const incoming = db.createObjectStore('incoming');
        const meta = db.createObjectStore('meta');
        outgoing.put(record(3, Uint8Array.of(3)));
        outgoing.put({ ...record(5, Uint8Array.of(5)), state: 'sent', packetId: 1 });
        states.put({ state: 'released', packetId: 2 }, 5);
        incoming.put(true, 42);
        meta.put(9, 'nextId');
      };
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
    });
    const outbox = await indexedDbOutbox({ name }).open('c1');
    expect(outbox.restored.outgoing).toEqual([record(3, Uint8Array.of(3)), { ...record(5, Uint8Array.of(5)), state: 'released', packetId: 2 }]);
    expect(outbox.restored.incoming).toEqual([42]);
    expect(outbox.restored.nextId).toBe(9);
    await outbox.write([{ op: 'delete', id: 3 }]);
    await outbox.close();
    const again = await indexedDbOutbox({ name }).open('c1');
    expect(again.restored.outgoing.map((r) => r.id)).toEqual([5]);
    await again.close();
    await deleteDatabases(name);
  });
});
