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

// setTimeout fires at once for delays beyond 2^31 - 1 ms (24.8 days); longer ones are chained.
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

/** A scheduler on the system clock and Node's timers. */
export function createScheduler(): Scheduler {
  const pending = new Set<NodeJS.Timeout>();
  const after = (delayMs: number, callback: () => void): Cancel => {
    let cancelNext: Cancel | undefined;
    const step = Math.min(delayMs, LONGEST_TIMEOUT_MS);
    const timer = setTimeout(() => {
      pending.delete(timer);
      if (delayMs > step) cancelNext = after(delayMs - step, callback);
      else callback();
    }, step);
    pending.add(timer);
    return () => {
      clearTimeout(timer);
      pending.delete(timer);
      cancelNext?.();
    };
  };
  return {
    now: () => Date.now(),
    after,
    cancelAll() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    },
  };
}
