import type { ProtocolVersion } from '../codec/packet';
import { loadPropertyCodec } from '../codec/property-field';
import { ConnectionError } from '../errors';
import type { Outbox, OutboxOpenHooks, OutboxStore } from '../ports/outbox-store';

/**
 * Opens the client's outbox and, meanwhile, loads the 5.0 property codec, which the session needs
 * before it encodes or decodes anything at 5.0 (a 3.1.1 client never loads it): in a browser the
 * codec's chunk and IndexedDB both take a while, so neither waits for the other. When the codec
 * does not load, the outbox just opened is closed again.
 */
export async function openOutbox(store: OutboxStore, clientId: string, version: ProtocolVersion, hooks: OutboxOpenHooks): Promise<Outbox> {
  const codecLoaded = loadPropertyCodec(version).catch((error: unknown) => {
    throw new ConnectionError('could not load the MQTT 5.0 property codec', { cause: error });
  });
  codecLoaded.catch(() => undefined); // awaited below; not unhandled while the outbox opens
  const outbox = await store.open(clientId, hooks);
  await codecLoaded.catch(async (error: unknown) => {
    await outbox.close().catch(() => undefined);
    throw error;
  });
  return outbox;
}
