import type { MqttClient } from '@courier/core';
import type { BrokerUrls, BrowserClientOptions } from '../create-client';
import type { SharingParts } from './core-parts';
import type { IndexedDbOutboxOptions } from '@courier/outbox-store/idb';
import { indexedDbHeldFilters } from './held-filters';
import { trackingOutbox } from './owner-client';
import { SessionOwner, type OwnerPort } from './session-owner';

/**
 * Starts the owner of a shared session on `port`: the real client, with the IndexedDB outbox
 * (waiting for a previous owner's lock, so that two never write it) and `manualAcks` (a message
 * is acknowledged to the broker once every tab that got it has); the filters it holds at the
 * broker are kept in IndexedDB beside the outbox, for a next owner.
 */
export async function startOwner(parts: SharingParts, port: OwnerPort, id: string, urls: BrokerUrls, options: BrowserClientOptions, outboxOptions: IndexedDbOutboxOptions = {}): Promise<SessionOwner> {
  let owner: SessionOwner | undefined;
  const { outbox: _outbox, share: _share, sharedWorker: _worker, manualAcks: _manualAcks, ...rest } = options;
  const outbox = trackingOutbox(parts.indexedDbOutbox({ ...outboxOptions, lock: 'wait' }), () => owner?.tracker);
  const client: MqttClient = parts.createClient(urls, { ...rest, share: false, manualAcks: true, outbox });
  owner = new SessionOwner(client, port, id, parts, { filters: indexedDbHeldFilters(`${outboxOptions.name ?? 'courier-outbox'}:${client.clientId}`) });
  void owner.start();
  return owner;
}
