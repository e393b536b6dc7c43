import { type ClientOptions, connectedClient, createClient as createCoreClient, InvalidArgumentError, type MqttClient } from '@courier/core';
import { defaultBrowserOutbox } from './default-outbox';
import { webSocketTransport } from './web-socket-transport';
import { workerClock } from './worker-clock';

/** Options of a browser client: the client's, with a worker-driven clock by default. */
export type BrowserClientOptions = ClientOptions;

let sharedClock: ReturnType<typeof workerClock> | undefined;

function checkUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new InvalidArgumentError(`not a URL: "${String(url)}"`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new InvalidArgumentError(`unsupported scheme "${parsed.protocol}": a browser reaches MQTT brokers over ws:// or wss://`);
  }
  return parsed.href;
}

/**
 * A client for the broker at `url` (ws:// or wss://), returned at once and connecting in the
 * background. Its timers run in a Worker, so keep-alive holds in a background tab. With
 * `clean: false` and no `outbox`, what it owes is kept in IndexedDB and survives a reload.
 */
export function createClient(url: string | URL, options: BrowserClientOptions = {}): MqttClient {
  const transport = webSocketTransport(checkUrl(url));
  const outbox = options.outbox ?? (options.clean === false ? defaultBrowserOutbox() : undefined);
  return createCoreClient({ clock: (sharedClock ??= workerClock()), ...options, ...(outbox === undefined ? {} : { outbox }), transport });
}

/**
 * Connects to the broker at `url` and resolves with the client once the first CONNACK accepts
 * it; rejects with a typed error (and ends the client) when that fails.
 */
export function connect(url: string | URL, options: BrowserClientOptions = {}): Promise<MqttClient> {
  try {
    return connectedClient(createClient(url, options));
  } catch (error) {
    return Promise.reject(error);
  }
}
