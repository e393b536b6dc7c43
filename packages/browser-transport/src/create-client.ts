import {
  type BrokerEndpoint,
  brokersOf,
  type ClientOptions,
  connectedClient,
  createClient as createCoreClient,
  type CreateClientOptions,
  InvalidArgumentError,
  type MqttClient,
} from '@courier/core';
import { defaultBrowserOutbox } from './default-outbox';
import { lazyClient } from './shared/lazy-client';
import { sharingOutbox } from './shared/share-mode';
import { sharingParts } from './shared/sharing-parts';
import { webSocketTransport } from './web-socket-transport';
import { workerClock } from './worker-clock';

/** Options of a browser client: the client's, with a worker-driven clock by default. */
export interface BrowserClientOptions extends ClientOptions {
  /**
   * Put the packets of one task into one WebSocket message (see
   * `WebSocketTransportOptions.coalesce`). Off by default: each packet goes in a message of its own.
   */
  coalesceWebSocketMessages?: boolean;
  /**
   * How the tabs that use this client id with `clean: false` share one connection and one
   * outbox (see "Tabs" in the README): 'worker' (the owner runs in the SharedWorker that
   * `sharedWorker` makes), 'leader' (a tab elected with Web Locks owns it; the default without
   * `sharedWorker`), or false (no sharing: the outbox's `lock` decides). Sharing needs the default
   * IndexedDB outbox, or `indexedDbOutbox()` with `lock: 'share'` (its default).
   */
  share?: 'worker' | 'leader' | false;
  /**
   * Makes the SharedWorker whose script calls `serveSharedSessions()`; with it, the worker owns
   * the connection where the browser has SharedWorker.
   * @example sharedWorker: () => new SharedWorker(new URL('./courier-worker.js', import.meta.url), { type: 'module' })
   */
  sharedWorker?: () => SharedWorker;
}

let sharedClock: ReturnType<typeof workerClock> | undefined;

interface CheckedUrl {
  href: string;
  username?: string;
  password?: string;
}

function checkUrl(url: string | URL): CheckedUrl {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    // Never the credentials in an error message: they end up in logs.
    throw new InvalidArgumentError(`not a URL: "${String(url).replace(/\/\/.*@/, '//<credentials>@')}"`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new InvalidArgumentError(`unsupported scheme "${parsed.protocol}": a browser reaches MQTT brokers over ws:// or wss://`);
  }
  const checked: CheckedUrl = { href: '' };
  if (parsed.username !== '') checked.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') checked.password = decodeURIComponent(parsed.password);
  // Credentials travel in CONNECT only, not in the WebSocket URL (where the browser may send them
  // as an HTTP Basic header or refuse the URL), as in @courier/node.
  parsed.username = '';
  parsed.password = '';
  checked.href = parsed.href;
  return checked;
}

/** One URL or several (a cluster's nodes, tried in order), as `connect` and `createClient` take them. */
export type BrokerUrls = string | URL | readonly (string | URL)[];

/** The endpoint of one URL: its transport, the URL without credentials, the credentials it carries. */
function endpointFor(url: string | URL, options: BrowserClientOptions): BrokerEndpoint {
  const target = checkUrl(url);
  const transport = webSocketTransport(target.href, options.coalesceWebSocketMessages === true ? { coalesce: true } : {});
  const broker: BrokerEndpoint = { transport, url: target.href };
  if (target.username !== undefined) broker.username = target.username;
  if (target.password !== undefined) broker.password = target.password;
  return broker;
}

/**
 * A client for the broker at `url` (ws:// or wss://), returned at once and connecting in the
 * background. Several URLs (a cluster's nodes): a lost connection moves on to the next, in order,
 * and the reconnect backoff applies to each whole round; the `connect` event's `url` says which
 * one was reached. Its timers run in a Worker, so keep-alive holds in a background tab. With
 * `clean: false` and no `outbox`, what it owes is kept in IndexedDB and survives a reload. A user
 * name and password in the URL are used unless the options give them.
 *
 * Throws `InvalidArgumentError` at once for a URL that is not ws:// or wss://, or a bad option.
 *
 * @example
 * ```ts
 * import { createClient } from '@courier/browser';
 *
 * const client = createClient('wss://broker.example/mqtt', { clientId: 'dashboard-7', clean: false });
 * client.on('message', ({ topic, payload }) => render(topic, new TextDecoder().decode(payload)));
 * await client.subscribe('alerts/#', { qos: 2 });
 * ```
 */
export function createClient(urls: BrokerUrls, options: BrowserClientOptions = {}): MqttClient {
  const brokers = brokersOf(urls, options, (url) => endpointFor(url, options));
  const share = sharingOutbox(options);
  if (share !== undefined) {
    return lazyClient(
      async () => (await import('./shared/share-client')).sharedClient(sharingParts(createClient), urls, options, share),
      options.clientId!,
      options.protocolVersion === 4 ? 4 : 5,
    );
  }
  const { coalesceWebSocketMessages: _coalesce, ...clientOptions } = options;
  const outbox = options.outbox ?? (options.clean === false ? defaultBrowserOutbox() : undefined);
  const client: CreateClientOptions = {
    clock: (sharedClock ??= workerClock()),
    ...clientOptions,
    brokers,
    // A URL from beforeConnect (a pre-signed one, say) gets a transport as the configured URLs do.
    transportFor: (url) => endpointFor(url, options).transport,
  };
  if (outbox !== undefined) client.outbox = outbox;
  return createCoreClient(client);
}

/**
 * Connects to the broker at `url` and resolves with the client once the first CONNACK accepts
 * it; rejects with a typed error (and ends the client) when that fails: `InvalidArgumentError`
 * (a URL or option it cannot use), `ConnectRefusedError` (the CONNACK refused, with its
 * `reasonCode`) or `ConnectionError` (no WebSocket server answered, no CONNACK in time).
 *
 * @example
 * ```ts
 * import { connect } from '@courier/browser';
 *
 * const client = await connect('ws://127.0.0.1:8083/mqtt', { clientId: 'dashboard-1' });
 * await client.publish('alerts/door', 'open', { qos: 2 }); // resolves on PUBCOMP
 * ```
 */
export function connect(urls: BrokerUrls, options: BrowserClientOptions = {}): Promise<MqttClient> {
  try {
    return connectedClient(createClient(urls, options));
  } catch (error) {
    return Promise.reject(error);
  }
}
