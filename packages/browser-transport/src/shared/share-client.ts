import type { MqttClient, ProtocolVersion } from '@courier/core';
import type { IndexedDbOutboxOptions } from '@courier/outbox-store/idb';
import type { BrokerUrls, BrowserClientOptions } from '../create-client';
import { type HandedParts, partsOf } from './core-parts';
import { leaderTabPort } from './leader-session';
import { clonable } from './share-protocol';
import { TabClient } from './tab-client';
import { workerTabPort } from './worker-session';

/** A tab's id: new for every page load, so that a reloaded tab is a new tab to the owner. */
function newTabId(): string {
  return crypto.randomUUID();
}

/** How the tabs of a session share it. */
export type ShareMode = 'worker' | 'leader';

/**
 * The client of a tab that shares its session: a `TabClient` over the SharedWorker's port (when
 * the app gives one and the browser has SharedWorker, unless `share: 'leader'`) or the leader's
 * channel. A browser without Web Locks, BroadcastChannel or IndexedDB gets a client of its own.
 * `handed`: what it uses of the core and of `createClient` (see core-parts.ts).
 */
export function sharedClient(handed: HandedParts, urls: BrokerUrls, options: BrowserClientOptions, outbox: IndexedDbOutboxOptions): MqttClient {
  const parts = partsOf(handed);
  if (typeof BroadcastChannel === 'undefined' || typeof indexedDB === 'undefined' || !globalThis.navigator?.locks) return parts.createClient(urls, { ...options, share: false });
  const mode: ShareMode = options.sharedWorker !== undefined && typeof SharedWorker !== 'undefined' && options.share !== 'leader' ? 'worker' : 'leader';
  const share = { mode, outbox };
  const tab = newTabId();
  const clientId = options.clientId!;
  const name = `courier-share:${share.outbox.name ?? 'courier-outbox'}:${clientId}`;
  const list = (Array.isArray(urls) ? urls : [urls]).map(String);
  const { outbox: _outbox, ...rest } = options;
  const port =
    share.mode === 'worker'
      ? workerTabPort(options.sharedWorker!, { type: 'join', name, tab, urls: list, options: clonable(rest), outbox: share.outbox })
      : leaderTabPort(name, tab, async (ownerPort, owner) => {
          const { startOwner } = await import('./start-owner');
          return startOwner(parts, ownerPort, owner, urls, options, share.outbox);
        });
  const version: ProtocolVersion = options.protocolVersion === 4 ? 4 : 5;
  // The same API as MqttClient (a tab's calls go to the owner): typed as one, so that code written for a client works.
  return new TabClient(port, tab, clientId, version, options.manualAcks === true, parts) as unknown as MqttClient;
}

