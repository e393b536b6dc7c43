// Runs in Node, where there is no IndexedDB until the test installs fake-indexeddb: both sides of
// the fallback of `clean: false` without an `outbox`.
import { expect, test } from 'vitest';
import { defaultBrowserOutbox, NO_INDEXED_DB_WARNING } from '../src/default-outbox';

test('without IndexedDB the default outbox keeps memory and says so in its warnings', async () => {
  expect(typeof indexedDB).toBe('undefined');
  const outbox = await defaultBrowserOutbox().open('no-idb');
  expect(outbox.restored.warnings).toEqual([NO_INDEXED_DB_WARNING]);
  await outbox.write([{ op: 'putIncoming', packetId: 7 }]);
  await outbox.close();
});

test('with IndexedDB the default outbox is durable and warns of nothing', async () => {
  // Installs IndexedDB's globals for the rest of this file (its package types this path poorly).
  const auto: string = 'fake-indexeddb/auto';
  await import(auto);
  const outbox = await defaultBrowserOutbox().open('with-idb');
  expect(outbox.restored.warnings).toBeUndefined();
  await outbox.close();
});
