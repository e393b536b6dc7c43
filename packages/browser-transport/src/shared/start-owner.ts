import type { MqttClient } from '@courier/core';
import { type BrokerUrls, type BrowserClientOptions, createClient } from '../create-client';
import type { IndexedDbOutboxOptions } from '@courier/outbox-store/idb';
import { indexedDbOutbox } from '../default-outbox';
import { indexedDbHeldFilters } from './held-filters';
import { trackingOutbox } from './owner-client';
import { SessionOwner, type OwnerPort } from './session-owner';

/**
 * Starts the owner of a shared session on `port`: the real client, with the IndexedDB outbox
 * (waiting for a previous owner's lock, so that two never write it) and `manualAcks` (a message
 * is acknowledged to the broker once every tab that got it has); the filters it holds at the
 * broker are kept in IndexedDB beside the outbox, for a next owner.
 */
export async function startOwner(port: OwnerPort, id: string, urls: BrokerUrls, options: BrowserClientOptions, outboxOptions: IndexedDbOutboxOptions = {}): Promise<SessionOwner> {
  let owner: SessionOwner | undefined;
  const { outbox: _outbox, share: _share, sharedWorker: _worker, manualAcks: _manualAcks, ...rest } = options;
  const outbox = trackingOutbox(indexedDbOutbox({ ...outboxOptions, lock: 'wait' }), () => owner?.tracker);
  const client: MqttClient = createClient(urls, { ...rest, share: false, manualAcks: true, outbox });
  owner = new SessionOwner(client, port, id, { filters: indexedDbHeldFilters(`${outboxOptions.name ?? 'courier-outbox'}:${client.clientId}`) });
  void owner.start();
  return owner;
}
