/**
 * A first-in first-out queue with O(1) push and shift (an array and a head index, compacted as
 * it drains), for the queues of the session and the client, which can hold many thousand messages.
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Puts `items` in front, in their order (they were there before, as after a lost session). */
  unshiftAll(items: T[]): void {
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** Removes one item wherever it is; O(n), for the rare abort. */
  remove(item: T): boolean {
    const index = this.#items.indexOf(item, this.#head);
    if (index === -1) return false;
    this.#items.splice(index, 1);
    return true;
  }

  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }

  clear(): T[] {
    const all = this.toArray();
    this.#items = [];
    this.#head = 0;
    return all;
  }
}
