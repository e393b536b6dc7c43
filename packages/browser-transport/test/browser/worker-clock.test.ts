import { expect, test } from 'vitest';
import { workerClock } from '@courier/browser';
import { clockContract } from '@courier/core/testing';

const realTime = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms + 5));

clockContract('workerClock in Chromium', () => ({ clock: workerClock(), advance: realTime }));

test('runs its timers in a Worker here (it falls back to the system clock only where no Worker can be made)', () => {
  expect(workerClock().usesWorker).toBe(true);
});
