import type { IndexedDbOutboxOptions } from '@courier/outbox-store/idb';
import type { BrowserClientOptions } from '../create-client';
import type { OwnerPort } from './session-owner';
import type { ToOwner, ToTab } from './share-protocol';
import type { TabPort } from './tab-client';
import { holdTabLock, liveTabs, whenReleased } from './tab-lock';

/** What a tab tells the SharedWorker first: which session, and how to reach the broker. */
export interface JoinMessage {
  type: 'join';
  name: string;
  tab: string;
  urls: string[];
  options: BrowserClientOptions;
  outbox: IndexedDbOutboxOptions;
}

/** The lock a SharedWorker holds for its life for session `name`: released, the worker is gone. */
const workerLock = (name: string) => `${name}:worker`;

/**
 * The SharedWorker path, in the tab: the worker runs the owner, and the tab talks to it over its
 * port. The tab still holds `<name>:tab:<id>` for its life, so that the owner sees it go. A worker
 * that crashes (or fails to load) is started again: the tab waits on the lock the worker holds for
 * its life, from the first word of its owner (held by then); the new worker's owner is a new
 * owner to the tab, which carries its calls over to it as on a leader change.
 */
export function workerTabPort(newWorker: () => SharedWorker, join: JoinMessage): TabPort {
  const tabLock = holdTabLock(`${join.name}:tab:${join.tab}`);
  const stop = new AbortController();
  let handler: ((message: ToTab) => void) | undefined;
  let port!: MessagePort;
  /** Workers that failed to load in a row: each waits longer before the next start. */
  let failures = 0;
  const restart = (dead: MessagePort) => {
    if (stop.signal.aborted || dead !== port) return;
    dead.close();
    connect();
  };
  const connect = () => {
    const worker = newWorker();
    const current = worker.port;
    port = current;
    let watching = false;
    current.onmessage = (event: MessageEvent<ToTab>) => {
      if (!watching && event.data.type === 'owner') {
        watching = true;
        failures = 0;
        whenReleased(workerLock(join.name), stop.signal, () => restart(current));
      }
      handler?.(event.data);
    };
    worker.addEventListener('error', () => setTimeout(() => restart(current), Math.min(100 * 2 ** failures++, 5000)));
    current.start();
    void tabLock.granted.then(() => current.postMessage(join));
  };
  connect();
  return {
    post: (message: ToOwner) => void tabLock.granted.then(() => port.postMessage(message)),
    onMessage: (onMessage) => (handler = onMessage),
    ownsHere: () => false,
    async close() {
      stop.abort();
      port.close();
      tabLock.release();
    },
  };
}

interface WorkerOwner {
  ports: Map<string, MessagePort>;
  handler: ((message: ToOwner) => void) | undefined;
}

/** Starts an owner in this SharedWorker for a session's first tab. */
export type StartWorkerOwner = (port: OwnerPort, owner: string, join: JoinMessage) => Promise<unknown>;

/**
 * The SharedWorker's side: one owner per session name, started by the first tab that joins it,
 * each tab on a port of its own. A message to one tab goes to its port only.
 */
export function serveWorkerSessions(scope: { onconnect: ((event: MessageEvent) => void) | null }, startOwner: StartWorkerOwner): void {
  const owners = new Map<string, WorkerOwner>();
  const stop = new AbortController();
  // A worker started again after a crash is a new owner to the tabs, under a new id.
  const instance = crypto.randomUUID().slice(0, 8);
  scope.onconnect = (event: MessageEvent) => {
    const port = event.ports[0]!;
    port.onmessage = (first: MessageEvent<JoinMessage>) => {
      const join = first.data;
      if (join?.type !== 'join') return;
      let owner = owners.get(join.name);
      if (owner === undefined) {
        const created: WorkerOwner = { ports: new Map(), handler: undefined };
        owner = created;
        owners.set(join.name, created);
        const ownerPort: OwnerPort = {
          post(message: ToTab) {
            const target = 'tab' in message ? created.ports.get(message.tab) : undefined;
            if (target !== undefined) target.postMessage(message);
            else if (!('tab' in message)) for (const each of created.ports.values()) each.postMessage(message);
          },
          onMessage: (handler) => (created.handler = handler),
          liveTabs: () => liveTabs(`${join.name}:tab:`),
          watchTab: (tab, gone) =>
            whenReleased(`${join.name}:tab:${tab}`, stop.signal, () => {
              created.ports.delete(tab);
              gone();
            }),
        };
        // Held for the worker's life, before its owner says a word: the tabs wait on it to see a crash.
        void navigator.locks.request(workerLock(join.name), () => {
          void startOwner(ownerPort, `worker:${instance}:${join.name}`, join);
          return new Promise<never>(() => undefined);
        });
      }
      const joined = owner;
      joined.ports.set(join.tab, port);
      port.onmessage = (message: MessageEvent<ToOwner>) => joined.handler?.(message.data);
    };
  };
}
