/**
 * A map from ids to values, kept in id order, for ids that mostly arrive in increasing order
 * (message ids: one more per publish).
 *
 * Design: two parallel arrays (ids, values) searched by bisection, instead of a `Map`: a `Map`
 * costs about 46 bytes an entry on V8 (hash buckets, a chain link, growth slack), these about
 * 20, which counts with tens of thousands of messages in flight (`npm run bench:memory`).
 * Appending a greater id is O(1); a smaller one is put in its place (O(n), and rare: a restore
 * comes in id order). A deleted entry leaves a hole (its id stays, so the ids stay sorted),
 * squeezed out once holes are half the arrays: deletes cost O(1) amortized.
 */
export class IdOrderedMap<V> {
  #ids: number[] = [];
  #values: (V | undefined)[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(id: number): V | undefined {
    const index = this.#lowerBound(id);
    return this.#ids[index] === id ? this.#values[index] : undefined;
  }

  /** Adds or replaces the value of `id`. */
  set(id: number, value: V): void {
    const ids = this.#ids;
    const end = ids.length;
    // Appending, as every publish does: no search.
    const index = end > 0 && id > (ids[end - 1] as number) ? end : this.#lowerBound(id);
    if (index === end) {
      ids.push(id);
      this.#values.push(undefined);
    } else if (ids[index] !== id) {
      ids.splice(index, 0, id);
      this.#values.splice(index, 0, undefined);
    }
    if (this.#values[index] === undefined) this.#size++;
    this.#values[index] = value;
  }

  delete(id: number): boolean {
    const index = this.#lowerBound(id);
    if (this.#ids[index] !== id || this.#values[index] === undefined) return false;
    this.#values[index] = undefined;
    this.#size--;
    if (this.#size === 0) {
      // Emptied, as after every settled publish of one awaited at a time: no new arrays.
      this.#ids.length = 0;
      this.#values.length = 0;
    } else if (this.#size * 2 < this.#ids.length) {
      this.#squeeze();
    }
    return true;
  }

  /** The values, in id order. */
  values(): V[] {
    return this.#values.filter((value) => value !== undefined);
  }

  clear(): void {
    this.#ids = [];
    this.#values = [];
    this.#size = 0;
  }

  /** The first slot whose id is not below `id`. */
  #lowerBound(id: number): number {
    const ids = this.#ids;
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((ids[middle] as number) < id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Moves the entries over the holes, in place. */
  #squeeze(): void {
    const ids = this.#ids;
    const values = this.#values;
    let kept = 0;
    for (let i = 0; i < ids.length; i++) {
      const value = values[i];
      if (value === undefined) continue;
      ids[kept] = ids[i] as number;
      values[kept++] = value;
    }
    ids.length = kept;
    values.length = kept;
  }
}
