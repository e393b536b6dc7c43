/**
 * Where an owner keeps the filters it may hold at the broker, so that a next owner can drop those
 * of tabs that died meanwhile: the broker's session keeps its subscriptions across owners, and
 * MQTT has no way to ask the broker for them.
 */
export interface HeldFilters {
  load(): Promise<string[]>;
  save(filters: string[]): Promise<void>;
}

/** For an owner that keeps nothing: a next owner drops only what the tabs tell it. */
export const NO_HELD_FILTERS: HeldFilters = { load: async () => [], save: async () => undefined };

const DATABASE = 'courier-share';
const STORE = 'filters';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * The filters of session `name` in IndexedDB (a database of their own: the outbox's schema is the
 * outbox's), reachable from a leader tab and from a SharedWorker alike. Saves go in order.
 */
export function indexedDbHeldFilters(name: string): HeldFilters {
  let database: Promise<IDBDatabase> | undefined;
  const open = () => {
    database ??= (() => {
      const opening = indexedDB.open(DATABASE, 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
      return request(opening);
    })();
    return database;
  };
  let last: Promise<void> = Promise.resolve();
  return {
    load: async () => ((await request((await open()).transaction(STORE).objectStore(STORE).get(name))) as string[] | undefined) ?? [],
    save(filters) {
      last = last.catch(() => undefined).then(async () => {
        const tx = (await open()).transaction(STORE, 'readwrite');
        tx.objectStore(STORE).put(filters, name);
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      });
      return last;
    },
  };
}
