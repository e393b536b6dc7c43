import type { CoreParts } from './core-parts';

/** What to do when another tab (or client) holds the outbox: wait for it, or fail at once. */
export type LockMode = 'wait' | 'fail';

/** A held lock; `release` lets the next holder in. */
export interface HeldLock {
  release(): void;
}

// Where there is no Web Locks API (a worker without it, Node in tests): locks within this realm.
const localLocks = new Map<string, Promise<void>>();

/**
 * Takes the lock `name` for as long as the outbox stays open. With the Web Locks API, tabs of
 * one origin see each other's locks, so one tab owns a client's outbox, and so its session and
 * connection, at a time: a second tab with the same client id waits (or fails) instead of taking
 * the session over in a loop.
 */
export async function acquireOutboxLock(name: string, mode: LockMode, { OutboxError }: CoreParts): Promise<HeldLock> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (locks !== undefined) {
    await new Promise<void>((acquired, refused) => {
      void locks
        .request(name, { ifAvailable: mode === 'fail' }, (lock) => {
          if (lock === null) {
            refused(new OutboxError(`the outbox "${name}" is open in another tab or client`));
            return undefined;
          }
          acquired();
          return held;
        })
        .catch(refused);
    });
    return { release };
  }
  const previous = localLocks.get(name);
  if (previous !== undefined && mode === 'fail') throw new OutboxError(`the outbox "${name}" is already open`);
  const mine = (previous ?? Promise.resolve()).then(() => held);
  localLocks.set(name, mine);
  await previous;
  return {
    release: () => {
      if (localLocks.get(name) === mine) localLocks.delete(name);
      release();
    },
  };
}
