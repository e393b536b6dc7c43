import type { Clock, Timer } from '../ports/clock';
import { flush } from './flush';

interface PendingTimer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/**
 * A clock for tests: time moves only when `advance` says, and timers fire in deadline order as
 * it does, with pending promise callbacks run between them. No test needs to sleep.
 */
export class ManualClock implements Clock {
  private time: number;
  private timers: PendingTimer[] = [];
  private seq = 0;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(at: number, callback: () => void): Timer {
    const timer: PendingTimer = { at, seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time on by `ms`, firing what falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flush();
      this.timers = this.timers.filter((t) => !t.cancelled);
      let due: PendingTimer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= target && (due === undefined || timer.at < due.at || (timer.at === due.at && timer.seq < due.seq))) due = timer;
      }
      if (due === undefined) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = target;
    await flush();
  }
}
