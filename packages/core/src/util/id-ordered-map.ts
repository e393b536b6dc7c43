/**
 * A map from ids to values, kept in id order, for ids that mostly arrive in increasing order
 * (message ids: one more per publish).
 *
 * Design: two parallel arrays (ids, values) searched by bisection, instead of a `Map`: a `Map`
 * costs about 46 bytes an entry on V8 (hash buckets, a chain link, growth slack), these about
 * 20, which counts with tens of thousands of messages in flight (`npm run bench:memory`).
 * Appending a greater id is O(1); a smaller one is put in its place (O(n), and rare: a restore
 * comes in id order). A deleted entry leaves a hole, skipped at the front and squeezed out once
 * holes are half the arrays, so deletes cost O(1) amortized.
 */
export class IdOrderedMap<V> {
  #ids: number[] = [];
  #values: (V | undefined)[] = [];
  /** Every slot before it is a hole. */
  #head = 0;
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
    const last = ids.length - 1;
    if (last < this.#head || id > (ids[last] as number)) {
      ids.push(id);
      this.#values.push(value);
      this.#size++;
      return;
    }
    const index = this.#lowerBound(id);
    if (ids[index] === id) {
      if (this.#values[index] === undefined) this.#size++;
      this.#values[index] = value;
      return;
    }
    ids.splice(index, 0, id);
    this.#values.splice(index, 0, value);
    this.#size++;
  }

  delete(id: number): boolean {
    const index = this.#lowerBound(id);
    const values = this.#values;
    if (this.#ids[index] !== id || values[index] === undefined) return false;
    values[index] = undefined;
    this.#size--;
    while (this.#head < values.length && values[this.#head] === undefined) this.#head++;
    if (this.#head === values.length) this.clear();
    else if (values.length >= 64 && this.#size * 2 < values.length) this.#squeeze();
    return true;
  }

  /** The values, in id order. */
  values(): V[] {
    const values: V[] = [];
    for (let i = this.#head; i < this.#values.length; i++) {
      const value = this.#values[i];
      if (value !== undefined) values.push(value);
    }
    return values;
  }

  clear(): void {
    this.#ids = [];
    this.#values = [];
    this.#head = 0;
    this.#size = 0;
  }

  /** The first slot at or after the head whose id is not below `id`. */
  #lowerBound(id: number): number {
    const ids = this.#ids;
    let low = this.#head;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((ids[middle] as number) < id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #squeeze(): void {
    const ids: number[] = [];
    const values: V[] = [];
    for (let i = this.#head; i < this.#values.length; i++) {
      const value = this.#values[i];
      if (value === undefined) continue;
      ids.push(this.#ids[i] as number);
      values.push(value);
    }
    this.#ids = ids;
    this.#values = values;
    this.#head = 0;
  }
}
