/** Cancels a scheduled callback; calling it again, or after the callback ran, does nothing. */
export type Cancel = () => void;

/**
 * The broker's clock and timers, in one place: protocol code asks it for the time and for
 * callbacks instead of calling `Date.now()` and `setTimeout` itself, and `cancelAll` lets
 * `close()` leave no timer behind.
 */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs`. */
  after(delayMs: number, callback: () => void): Cancel;
  /** Cancels every pending callback. */
  cancelAll(): void;
}

/** A scheduler on the system clock and Node's timers. */
export function createScheduler(): Scheduler {
  const pending = new Set<NodeJS.Timeout>();
  return {
    now: () => Date.now(),
    after(delayMs, callback) {
      const timer = setTimeout(() => {
        pending.delete(timer);
        callback();
      }, delayMs);
      pending.add(timer);
      return () => {
        clearTimeout(timer);
        pending.delete(timer);
      };
    },
    cancelAll() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    },
  };
}
