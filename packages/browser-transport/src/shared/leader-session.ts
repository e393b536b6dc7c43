import type { OwnerPort } from './session-owner';
import type { ToOwner, ToTab } from './share-protocol';
import type { TabPort } from './tab-client';
import { holdTabLock, liveTabs, whenReleased } from './tab-lock';

/** An owner, once started: closing it ends its client (by force: what is owed stays in the outbox). */
export interface RunningOwner {
  close(): Promise<void>;
}

/** Starts the owner of the session on `port`, under the id `owner`. */
export type StartOwner = (port: OwnerPort, owner: string) => Promise<RunningOwner>;

/**
 * The leader-tab path: every tab of the session asks for one Web Lock, `<name>:owner`; the tab
 * that holds it runs the owner, and when that tab closes, crashes or reloads, the browser gives
 * the lock to the next tab waiting, which takes over. Tabs and owner talk over one
 * BroadcastChannel; each tab holds `<name>:tab:<id>` for its life, so the owner sees it go.
 */
export function leaderTabPort(name: string, tab: string, startOwner: StartOwner): TabPort {
  const channel = new BroadcastChannel(name);
  const tabLock = holdTabLock(`${name}:tab:${tab}`);
  const stop = new AbortController();
  let stopped!: () => void;
  const stopping = new Promise<void>((resolve) => (stopped = resolve));
  let owning: Promise<void> = Promise.resolve();
  void navigator.locks
    .request(`${name}:owner`, { signal: stop.signal }, () => {
      owning = (async () => {
        const ownerChannel = new BroadcastChannel(name);
        const owner = await startOwner(broadcastOwnerPort(ownerChannel, name, stop.signal), tab);
        await stopping;
        await owner.close();
        ownerChannel.close();
      })();
      return owning;
    })
    .catch(() => undefined);
  return {
    post: (message: ToOwner) => void tabLock.granted.then(() => channel.postMessage(message)),
    onMessage: (handler) => {
      channel.onmessage = (event: MessageEvent<ToTab>) => handler(event.data);
    },
    ownsHere: (owner) => owner === tab,
    async close() {
      stop.abort();
      stopped();
      await owning;
      channel.close();
      tabLock.release();
    },
  };
}

function broadcastOwnerPort(channel: BroadcastChannel, name: string, signal: AbortSignal): OwnerPort {
  return {
    post: (message) => channel.postMessage(message),
    onMessage: (handler) => {
      channel.onmessage = (event: MessageEvent<ToOwner>) => handler(event.data);
    },
    liveTabs: () => liveTabs(`${name}:tab:`),
    watchTab: (tab, gone) => whenReleased(`${name}:tab:${tab}`, signal, gone),
  };
}
