import { MemoryOutbox } from '@courier/core';
import { outboxStoreContract } from '@courier/core/testing';

// One MemoryOutbox lives as long as the process: "reopening" is opening it again.
outboxStoreContract('MemoryOutbox', async () => {
  const store = new MemoryOutbox();
  return { store, reopen: async () => store };
});
