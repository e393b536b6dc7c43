import { outboxStoreContract } from '@courier/core/testing';
import { fileOutbox } from '@courier/outbox-store/fs';
import { tempDir } from './temp-dir';

// Reopening is a new fileOutbox on the same directory, as after a restart.
for (const fsync of ['batch', 'always', 'never'] as const) {
  outboxStoreContract(`fileOutbox (fsync '${fsync}')`, async () => {
    const dir = await tempDir();
    return { store: fileOutbox({ dir, fsync }), reopen: async () => fileOutbox({ dir, fsync }) };
  });
}
