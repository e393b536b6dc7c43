/** A timer set with `Clock.setTimer`. */
export interface Timer {
  /** Stops the timer; cancelling a timer that fired or was cancelled does nothing. */
  cancel(): void;
}

/**
 * Time for the client: its only source of `now` and of timers. The system clock uses
 * `performance.now()` and `setTimeout`; tests use a manual clock. Every implementation runs the
 * contract suite in `@courier/core/testing`.
 */
export interface Clock {
  /** Milliseconds from an arbitrary origin; never decreases. */
  now(): number;
  /** Calls `callback` once, no earlier than `at` (a `now()` value). */
  setTimer(at: number, callback: () => void): Timer;
}
