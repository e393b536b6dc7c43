import { describe, expect, test } from 'vitest';
import type { Clock } from '../ports/clock';

/** What `clockContract` needs of a Clock implementation under test: the clock and a way to let time pass. */
export interface ClockFixture {
  clock: Clock;
  /** Lets `ms` pass: really for the system clock, by decree for a manual one. */
  advance(ms: number): Promise<void>;
}

/** The rules every Clock keeps (the port's contract): run it under Vitest against a Clock you implement. */
export function clockContract(name: string, makeFixture: () => ClockFixture): void {
  describe(`${name} keeps the Clock contract`, () => {
    test('now() never goes back', async () => {
      const { clock, advance } = makeFixture();
      const first = clock.now();
      await advance(5);
      const second = clock.now();
      expect(second).toBeGreaterThanOrEqual(first + 5);
    });

    test('a timer fires once, not before its time', async () => {
      const { clock, advance } = makeFixture();
      const fired: number[] = [];
      const at = clock.now() + 30;
      clock.setTimer(at, () => fired.push(clock.now()));
      await advance(10);
      expect(fired).toEqual([]);
      await until(() => fired.length > 0, advance);
      expect(fired[0]).toBeGreaterThanOrEqual(at);
      await advance(40);
      expect(fired).toHaveLength(1);
    });

    test('a cancelled timer never fires', async () => {
      const { clock, advance } = makeFixture();
      let fired = false;
      clock.setTimer(clock.now() + 10, () => (fired = true)).cancel();
      await advance(30);
      expect(fired).toBe(false);
    });

    test('timers fire in the order of their times, and one already due fires at once', async () => {
      const { clock, advance } = makeFixture();
      const order: string[] = [];
      const now = clock.now();
      clock.setTimer(now + 30, () => order.push('late'));
      clock.setTimer(now + 10, () => order.push('early'));
      clock.setTimer(now - 5, () => order.push('overdue'));
      await until(() => order.length === 3, advance);
      expect(order).toEqual(['overdue', 'early', 'late']);
    });
  });
}

/**
 * Advances in small steps until `condition` holds. A real clock's timer may fire later than a
 * sleep of the same length on a loaded machine: the contract asks for "never early" and
 * "eventually", not "within this sleep".
 */
async function until(condition: () => boolean, advance: (ms: number) => Promise<void>): Promise<void> {
  for (let step = 0; step < 1_000 && !condition(); step++) await advance(5);
}
