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

/**
 * The SharedWorker path, in the tab: the worker runs the owner, and the tab talks to it over its
 * port. The tab still holds `<name>:tab:<id>` for its life, so that the owner sees it go.
 */
export function workerTabPort(worker: SharedWorker, join: JoinMessage): TabPort {
  const port = worker.port;
  const tabLock = holdTabLock(`${join.name}:tab:${join.tab}`);
  port.start();
  void tabLock.granted.then(() => port.postMessage(join));
  return {
    post: (message: ToOwner) => void tabLock.granted.then(() => port.postMessage(message)),
    onMessage: (handler) => {
      port.onmessage = (event: MessageEvent<ToTab>) => handler(event.data);
    },
    ownsHere: () => false,
    async close() {
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
        void startOwner(ownerPort, `worker:${join.name}`, join);
      }
      const joined = owner;
      joined.ports.set(join.tab, port);
      port.onmessage = (message: MessageEvent<ToOwner>) => joined.handler?.(message.data);
    };
  };
}
