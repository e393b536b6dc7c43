// @ts-check
// A Clock written only against Courier's port interface (`Clock`, `Timer` from @courier/core),
// for a host that has setTimeout but no performance.now(): Date.now() can jump back when the
// device's time is set, and a Clock's now() must never decrease, so this one holds its last value
// until the wall clock passes it again.

/** @returns {import('@courier/core').Clock} */
export function monotonicClock() {
  let last = Date.now();
  const now = () => (last = Math.max(last, Date.now()));
  return {
    now,
    setTimer(at, callback) {
      /** @type {ReturnType<typeof setTimeout>} */
      let handle;
      // A timer fires no earlier than `at` by this clock: wake, and sleep again if still early.
      const arm = () => {
        const wait = at - now();
        if (wait <= 0) callback();
        else handle = setTimeout(arm, wait);
      };
      handle = setTimeout(arm, Math.max(0, at - now()));
      return { cancel: () => clearTimeout(handle) };
    },
  };
}
