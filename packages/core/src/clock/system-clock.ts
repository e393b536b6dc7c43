import type { Clock, Timer } from '../ports/clock';

/**
 * Real time: `performance.now()` (monotonic, unlike `Date.now()`) and `setTimeout`. The client
 * keeps one timer for the whole session, however many messages are in flight.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(at: number, callback: () => void): Timer {
    let handle: ReturnType<typeof setTimeout>;
    // setTimeout may wake a little before `at` by performance.now() (Node's timers run on a
    // coarser, cached clock): sleep again for the rest rather than fire early.
    const arm = () => {
      const wait = at - performance.now();
      if (wait <= 0) callback();
      else handle = setTimeout(arm, Math.ceil(wait));
    };
    handle = setTimeout(arm, Math.max(0, Math.ceil(at - performance.now())));
    return { cancel: () => clearTimeout(handle) };
  },
};
