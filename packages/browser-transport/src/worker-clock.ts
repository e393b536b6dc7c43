import { type Clock, systemClock, type Timer } from '@courier/core';

// The worker: one setTimeout per timer, a message back when it fires.
const WORKER_SOURCE = `const timers = new Map();
onmessage = (event) => {
  const [op, id, delay] = event.data;
  if (op === 'set') timers.set(id, setTimeout(() => { timers.delete(id); postMessage(id); }, delay));
  else { clearTimeout(timers.get(id)); timers.delete(id); }
};`;

/**
 * A clock whose timers run in a dedicated Worker. Browsers throttle timers in hidden tabs (Chrome
 * lets a background page's timers run once a minute after five minutes), which would make
 * keep-alive late and the broker drop the connection; a dedicated worker's timers are not
 * throttled that way, and its messages reach the page promptly. Where no Worker can be made (a
 * CSP forbidding blob: workers, say), it falls back to the system clock, and says so through
 * `usesWorker`.
 */
export function workerClock(): Clock & { readonly usesWorker: boolean } {
  let worker: Worker;
  try {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    worker = new Worker(url);
  } catch {
    return { ...systemClock, usesWorker: false };
  }
  const callbacks = new Map<number, { at: number; callback: () => void }>();
  let nextId = 1;
  worker.onmessage = (event: MessageEvent<number>) => {
    const timer = callbacks.get(event.data);
    if (timer === undefined) return;
    const early = timer.at - performance.now();
    if (early > 0) {
      // A timer may wake a little early by performance.now(): sleep again for the rest.
      worker.postMessage(['set', event.data, Math.ceil(early)]);
      return;
    }
    callbacks.delete(event.data);
    timer.callback();
  };
  return {
    usesWorker: true,
    now: () => performance.now(),
    setTimer(at: number, callback: () => void): Timer {
      const id = nextId++;
      callbacks.set(id, { at, callback });
      worker.postMessage(['set', id, Math.max(0, Math.ceil(at - performance.now()))]);
      return {
        cancel: () => {
          if (callbacks.delete(id)) worker.postMessage(['clear', id]);
        },
      };
    },
  };
}
