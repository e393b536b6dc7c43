import { describe, expect, test } from 'vitest';
import { IdOrderedMap } from '../../src/util/id-ordered-map';

describe('IdOrderedMap', () => {
  test('keeps values by id, in id order, whatever order the ids come in', () => {
    const map = new IdOrderedMap<string>();
    for (const id of [5, 7, 2, 9, 6]) map.set(id, `v${id}`);
    expect(map.size).toBe(5);
    expect(map.values()).toEqual(['v2', 'v5', 'v6', 'v7', 'v9']);
    expect(map.get(6)).toBe('v6');
    expect(map.get(3)).toBeUndefined();
    expect(map.get(9)).toBe('v9');
  });

  test('set replaces; delete removes once; a deleted id can come back', () => {
    const map = new IdOrderedMap<string>();
    map.set(1, 'a');
    map.set(1, 'b');
    expect(map.size).toBe(1);
    expect(map.get(1)).toBe('b');
    expect(map.delete(1)).toBe(true);
    expect(map.delete(1)).toBe(false);
    expect(map.size).toBe(0);
    map.set(1, 'c');
    expect(map.get(1)).toBe('c');
    map.set(3, 'x');
    map.delete(3);
    map.set(2, 'y');
    expect(map.values()).toEqual(['c', 'y']);
  });

  test('agrees with a Map under many random sets and deletes, holes squeezed out on the way', () => {
    let seed = 20261207;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const map = new IdOrderedMap<number>();
    const reference = new Map<number, number>();
    let next = 1;
    for (let step = 0; step < 20_000; step++) {
      const roll = random(10);
      if (roll < 5) {
        const id = random(4) === 0 ? 1 + random(next) : next++; // mostly ascending, sometimes not
        map.set(id, step);
        reference.set(id, step);
      } else {
        const id = 1 + random(next);
        expect(map.delete(id)).toBe(reference.delete(id));
      }
      if (step % 997 === 0) {
        const ids = [...reference.keys()].sort((a, b) => a - b);
        expect(map.values()).toEqual(ids.map((id) => reference.get(id)));
      }
      expect(map.size).toBe(reference.size);
    }
  });
});
