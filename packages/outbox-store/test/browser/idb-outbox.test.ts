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
