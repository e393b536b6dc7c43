// The page of `bench/outbox-browser.bench.ts`: one timed run of QoS 1 publishes from Chromium,
// through the built @courier/browser, with the outbox the run names.
import { connect, indexedDbOutbox, MemoryOutbox, type OutboxStore } from '@courier/browser';
import { publishWindowed } from '../outbox-window';

export type OutboxKind = 'memory' | 'indexedDB relaxed' | 'indexedDB strict';

interface Run {
  url: string;
  clientId: string;
  outbox: OutboxKind;
  count: number;
  maxOutstanding: number;
}

function store(kind: OutboxKind, clientId: string): OutboxStore {
  if (kind === 'memory') return new MemoryOutbox();
  return indexedDbOutbox({ name: `bench-${clientId}`, durability: kind === 'indexedDB strict' ? 'strict' : 'relaxed' });
}

/** Publishes `count` QoS 1 messages of 64 bytes, at most `maxOutstanding` unacknowledged; returns ms. */
async function run(args: Run): Promise<number> {
  const client = await connect(args.url, {
    clientId: args.clientId,
    clean: false,
    outbox: store(args.outbox, args.clientId),
    maxInflight: Math.max(100, args.maxOutstanding),
  });
  const payload = new Uint8Array(64).fill(0x61);
  const start = performance.now();
  await publishWindowed(() => client.publish('bench/outbox', payload, { qos: 1 }), args.count, args.maxOutstanding);
  const elapsed = performance.now() - start;
  await client.end();
  return elapsed;
}

Object.assign(window, { outboxBench: { run } });
document.title = 'ready';
