const MAX_ID = 0xffff;

/**
 * The client's packet identifiers, 1 to 65,535, shared by PUBLISH, SUBSCRIBE and UNSUBSCRIBE
 * [MQTT-2.2.1-3]. An id is never handed out while in use; ids restored from the outbox are
 * reserved before anything new is sent. When all are in use `allocate` returns 0: the caller
 * waits (back-pressure) rather than fail.
 *
 * Design: a bitset (8 KiB) and a cursor that moves on, so ids are reused as late as possible and
 * a late, duplicated ack is unlikely to meet a new message under its id.
 */
export class PacketIds {
  readonly #used = new Uint32Array((MAX_ID + 1) / 32 + 1);
  #cursor = 0;
  #count = 0;

  get inUse(): number {
    return this.#count;
  }

  has(id: number): boolean {
    return (this.#used[id >>> 5] & (1 << (id & 31))) !== 0;
  }

  /** The next free id after the last one given, or 0 when all 65,535 are in use. */
  allocate(): number {
    if (this.#count === MAX_ID) return 0;
    let id = this.#cursor;
    do {
      id = id === MAX_ID ? 1 : id + 1;
    } while (this.has(id));
    this.#cursor = id;
    this.#mark(id);
    return id;
  }

  /** Takes a specific id (one restored from the outbox); false when it was already taken. */
  reserve(id: number): boolean {
    if (id < 1 || id > MAX_ID || this.has(id)) return false;
    this.#mark(id);
    return true;
  }

  release(id: number): void {
    if (!this.has(id)) return;
    this.#used[id >>> 5] &= ~(1 << (id & 31));
    this.#count--;
  }

  #mark(id: number): void {
    this.#used[id >>> 5] |= 1 << (id & 31);
    this.#count++;
  }
}
