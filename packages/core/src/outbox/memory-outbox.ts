import { OutboxError } from '../errors';
import { IdOrderedMap } from '../util/id-ordered-map';
import { applyOutboxUpdate } from './apply-outbox-update';
import type { Outbox, OutboxChange, OutboxSnapshot, OutboxStore, OutgoingRecord } from '../ports/outbox-store';

interface Space {
  /** By id: records are put in id order, which an IdOrderedMap keeps in less memory than a Map. */
  outgoing: IdOrderedMap<OutgoingRecord>;
  incoming: Set<number>;
  nextId: number;
  open: boolean;
}

/**
 * The default outbox: keeps what each client owes for the life of the process, so it survives
 * reconnects but not a restart or a page reload. Writes complete at once.
 */
export class MemoryOutbox implements OutboxStore {
  readonly #spaces = new Map<string, Space>();

  async open(clientId: string): Promise<Outbox> {
    let space = this.#spaces.get(clientId);
    if (space === undefined) {
      space = { outgoing: new IdOrderedMap(), incoming: new Set(), nextId: 1, open: false };
      this.#spaces.set(clientId, space);
    }
    if (space.open) throw new OutboxError(`the outbox of client "${clientId}" is already open`);
    space.open = true;
    return new MemorySpaceOutbox(space);
  }
}

class MemorySpaceOutbox implements Outbox {
  readonly restored: OutboxSnapshot;
  #closed = false;

  readonly #space: Space;

  constructor(space: Space) {
    this.#space = space;

    this.restored = {
      outgoing: space.outgoing.values().map((record) => ({ ...record })),
      incoming: [...space.incoming],
      nextId: space.nextId,
    };
  }

  write(changes: readonly OutboxChange[]): void {
    if (this.#closed) throw new OutboxError('the outbox is closed');
    const { outgoing, incoming } = this.#space;
    for (const change of changes) {
      switch (change.op) {
        case 'put':
          // Kept as given, not copied (see `OutboxChange`): the session holds this same object,
          // so a message sent at once is in memory once. An update replaces it, never changes it.
          outgoing.set(change.record.id, change.record);
          if (change.record.id >= this.#space.nextId) this.#space.nextId = change.record.id + 1;
          break;
        case 'update': {
          const record = outgoing.get(change.id);
          if (record === undefined) break;
          // A new object: the one put is its caller's too (the session reads it), never changed.
          const updated = { ...record };
          applyOutboxUpdate(updated, change);
          outgoing.set(change.id, updated);
          break;
        }
        case 'delete':
          outgoing.delete(change.id);
          break;
        case 'putIncoming':
          incoming.add(change.packetId);
          break;
        case 'deleteIncoming':
          incoming.delete(change.packetId);
          break;
        case 'clearIncoming':
          incoming.clear();
          break;
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#space.open = false;
  }
}
