import { expect, test } from 'vitest';
import { Fifo } from '../../src/util/fifo';

test('keeps order across many pushes and shifts, compacting as it drains', () => {
  const fifo = new Fifo<number>();
  for (let i = 0; i < 5_000; i++) fifo.push(i);
  for (let i = 0; i < 4_000; i++) expect(fifo.shift()).toBe(i);
  fifo.push(5_000);
  expect(fifo.length).toBe(1_001);
  expect(fifo.toArray()).toEqual(Array.from({ length: 1_001 }, (_, i) => 4_000 + i));
  expect(fifo.peek()).toBe(4_000);
});

test('puts items back in front, and removes one from the middle', () => {
  const fifo = new Fifo<string>();
  fifo.push('c');
  fifo.push('d');
  fifo.unshiftAll(['a', 'b']);
  expect(fifo.remove('c')).toBe(true);
  expect(fifo.remove('x')).toBe(false);
  expect(fifo.clear()).toEqual(['a', 'b', 'd']);
  expect(fifo.shift()).toBeUndefined();
});
