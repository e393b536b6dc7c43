// The page's two clients, a publisher and a subscriber, with persistent sessions: their ids are
// kept in sessionStorage, so a reload of the tab comes back as the same clients, and the
// publisher's IndexedDB outbox (the default with clean: false) still holds what it owed. The
// subscriber acknowledges by hand (manualAcks), once the page has processed a message.
import { connect, connectedClient, createClient, type MqttClient, type OutboxEntry } from '@courier/browser';

export interface ClientIds {
  publisher: string;
  subscriber: string;
  /** Messages go to `${topic}/qos0` .. `/qos2`, by the QoS they are published at. */
  topic: string;
}

const KEY = 'courier-demo:ids';

/** This tab's client ids: new on first load, the same after a reload. */
export function clientIds(): ClientIds {
  const saved = sessionStorage.getItem(KEY);
  if (saved !== null) return JSON.parse(saved) as ClientIds;
  const tab = Math.random().toString(36).slice(2, 8);
  const ids = { publisher: `demo-${tab}-pub`, subscriber: `demo-${tab}-sub`, topic: `demo/${tab}` };
  sessionStorage.setItem(KEY, JSON.stringify(ids));
  return ids;
}

// Quick reconnects: the point is to watch the resend right after a cut.
const OPTIONS = { clean: false, reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } };

/** The page's clients, and what the publisher's outbox still owed when the page loaded. */
export interface DemoClients {
  publisher: MqttClient;
  subscriber: MqttClient;
  restored: OutboxEntry[];
}

/** Connects both clients; the subscriber first, so that it hears everything the publisher resends. */
export async function connectClients(url: string, ids: ClientIds): Promise<DemoClients> {
  const subscriber = await connect(url, { ...OPTIONS, clientId: ids.subscriber, manualAcks: true });
  const publisher = createClient(url, { ...OPTIONS, clientId: ids.publisher });
  // Read once the outbox is loaded, before the resend on connect can empty it.
  const restored = await publisher.pending();
  await connectedClient(publisher);
  return { publisher, subscriber, restored };
}
