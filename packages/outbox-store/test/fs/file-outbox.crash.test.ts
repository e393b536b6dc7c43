import { MemoryOutbox } from '@courier/core';
import { fileOutbox } from '@courier/outbox-store/fs';
import { expect, test } from 'vitest';
import { startChild } from './child-process';
import { crashBatch } from './fixtures/crash-batches';
import { contentOf } from './outbox-fixtures';
import { tempDir } from './temp-dir';

const ROUNDS = 5;
const seed = Number(process.env.COURIER_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed. */
function random(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The states after each number of writes from `from` to `to`, by MemoryOutbox (the reference). */
async function statesAfter(from: number, to: number): Promise<Map<number, unknown>> {
  const memory = new MemoryOutbox();
  const states = new Map<number, unknown>();
  for (let n = 0; n <= to; n++) {
    const outbox = await memory.open('reference');
    if (n > 0) outbox.write(crashBatch(n));
    await outbox.close();
    if (n >= from) {
      const reopened = await memory.open('reference');
      states.set(n, { ...contentOf(reopened.restored), incoming: [...reopened.restored.incoming].sort((a, b) => a - b) });
      await reopened.close();
    }
  }
  return states;
}

test("a process SIGKILLed while writing (fsync 'batch') loses no write that had resolved", async () => {
  console.log(`crash test seed ${seed}; replay with COURIER_CRASH_SEED=${seed}`);
  const next = random(seed);
  const dir = await tempDir();
  let kept = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const killAfter = 10 + Math.floor(next() * 240);
    const writer = await startChild(['write', dir, 'c1']);
    const [, restored] = await writer.waitFor(/^restored (\d+)$/);
    expect(Number(restored), 'the child starts from what the last reopen found').toBe(kept);
    let durable = 0;
    writer.onLine((line) => {
      const match = /^durable (\d+)$/.exec(line);
      if (match === null) return;
      durable = Math.max(durable, Number(match[1]));
      if (durable - kept === killAfter) writer.child.kill('SIGKILL');
    });
    await writer.exited;
    expect(writer.child.signalCode, `round ${round}`).toBe('SIGKILL');

    // Every write reported durable is there, and what is there is exactly some prefix of the
    // writes: none lost in the middle, none half-applied.
    const outbox = await fileOutbox({ dir }).open('c1');
    const found = outbox.restored.nextId - 1;
    const states = await statesAfter(durable, Math.max(durable, found));
    expect(found, `round ${round}: ${durable} writes had resolved`).toBeGreaterThanOrEqual(durable);
    expect(contentOf(outbox.restored), `round ${round}: the state after ${found} writes`).toEqual(states.get(found));
    await outbox.close();
    kept = found;
  }
}, 40_000);
