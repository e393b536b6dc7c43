import { systemClock } from '@courier/core';
import { clockContract, ManualClock } from '@courier/core/testing';

clockContract('systemClock', () => ({
  clock: systemClock,
  advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 5)),
}));

clockContract('ManualClock', () => {
  const clock = new ManualClock(1_000);
  return { clock, advance: (ms) => clock.advance(ms) };
});
