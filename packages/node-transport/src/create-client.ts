import {
  type BrokerEndpoint,
  type ClientOptions,
  connectedClient,
  createClient as createCoreClient,
  brokersOf,
  type MqttClient,
  type Transport,
} from '@courier/core';
import { parseBrokerUrl } from './broker-url';
import { tcpTransport } from './tcp-transport';
import type { TlsOptions } from './tls-options';
import { wsTransport } from './ws-transport';

/** Options of a Node client: the client's, TLS settings, and WebSocket headers. */
export interface NodeClientOptions extends ClientOptions, TlsOptions {
  /** Extra HTTP headers for ws:// and wss:// upgrade requests. */
  headers?: Record<string, string>;
  /**
   * For ws:// and wss://: put the packets of one tick into one WebSocket message (see
   * `WsTransportOptions.coalesce`). Off by default: each packet goes in a message of its own.
   */
  coalesceWebSocketMessages?: boolean;
  /**
   * For mqtt://: how long to wait between reads under a fast stream of QoS 0 messages (see
   * `TcpTransportOptions.coalesceReadsMs`; default 1 ms, 0 reads each byte as it arrives).
   */
  coalesceReadsMs?: number;
}

/** Splits Node client options into the transport's and the client's. */
function split(options: NodeClientOptions): { tls: TlsOptions; headers?: Record<string, string>; client: ClientOptions } {
  const { ca, cert, key, passphrase, servername, rejectUnauthorized, headers, coalesceWebSocketMessages: _coalesce, coalesceReadsMs: _reads, ...client } = options;
  const tls: TlsOptions = {};
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (passphrase !== undefined) tls.passphrase = passphrase;
  if (servername !== undefined) tls.servername = servername;
  if (rejectUnauthorized !== undefined) tls.rejectUnauthorized = rejectUnauthorized;
  return headers === undefined ? { tls, client } : { tls, headers, client };
}

// A broker may put several packets in one WebSocket message [MQTT-6.0.0-2] (ours puts up to
// 64 KiB in one): room for the largest packet we accept twice over, and a frame's worth more.
const wsMessageBytes = (maximumPacketSize: number): number => 2 * maximumPacketSize + 64 * 1024;

/**
 * The transport a URL asks for (TCP, TLS or WebSocket). For building a client with
 * `createClient({ transport })` from `@courier/core`; `connect(url)` does it for you.
 */
export function transportFor(url: string | URL, options: NodeClientOptions = {}): Transport {
  const target = parseBrokerUrl(url);
  const { tls, headers } = split(options);
  const timeout = options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs };
  switch (target.scheme) {
    case 'mqtt': {
      const reads = options.coalesceReadsMs === undefined ? {} : { coalesceReadsMs: options.coalesceReadsMs };
      return tcpTransport({ host: target.host, port: target.port, ...timeout, ...reads });
    }
    case 'mqtts':
      return tcpTransport({ host: target.host, port: target.port, tls, ...timeout });
    default:
      return wsTransport({
        url: target.href,
        ...timeout,
        ...(options.maximumPacketSize === undefined ? {} : { maxMessageBytes: wsMessageBytes(options.maximumPacketSize) }),
        ...(target.scheme === 'wss' ? { tls } : {}),
        ...(headers === undefined ? {} : { headers }),
        ...(options.coalesceWebSocketMessages === true ? { coalesce: true } : {}),
      });
  }
}

/** One URL or several (a cluster's nodes, tried in order), as `connect` and `createClient` take them. */
export type BrokerUrls = string | URL | readonly (string | URL)[];

/** The endpoint of one URL: its transport, the URL without credentials, the credentials it carries. */
function endpointFor(url: string | URL, options: NodeClientOptions): BrokerEndpoint {
  const target = parseBrokerUrl(url);
  const broker: BrokerEndpoint = { transport: transportFor(url, options), url: target.href };
  if (target.username !== undefined) broker.username = target.username;
  if (target.password !== undefined) broker.password = target.password;
  return broker;
}

/**
 * A client for the broker at `url` (mqtt://, mqtts://, ws://, wss://), returned at once and
 * connecting in the background: publish before the first connection and it is sent when it
 * opens. A user name and password in the URL are used unless the options give them.
 *
 * Several URLs (the nodes of a cluster): the client connects to the first, and a lost connection
 * moves on to the next in order, at once; the reconnect backoff applies to each whole round of
 * the list. Each URL has its own scheme and credentials; the `connect` event's `url` says which
 * one was reached.
 *
 * Throws `InvalidArgumentError` at once for a URL it cannot use or a bad option; a broker that
 * cannot be reached is retried (see the `reconnect` option), not thrown.
 *
 * @example
 * ```ts
 * import { createClient } from '@courier/node';
 * import { fileOutbox } from '@courier/outbox-store/fs';
 *
 * const client = createClient('mqtt://127.0.0.1:1883', { clientId: 'sensor-1', clean: false, outbox: fileOutbox({ dir: './outbox' }) });
 * client.on('disconnect', ({ error }) => console.log('offline', error?.message));
 * await client.publish('sensors/1/temperature', '21.5', { qos: 1 }); // waits for the connection, then PUBACK
 * ```
 */
export function createClient(urls: BrokerUrls, options: NodeClientOptions = {}): MqttClient {
  const brokers = brokersOf(urls, options, (url) => endpointFor(url, options));
  const { client } = split(options);
  // A URL from beforeConnect (a pre-signed one, say) gets a transport as the configured URLs do.
  return createCoreClient({ ...client, brokers, transportFor: (url) => transportFor(url, options) });
}

/**
 * Connects to the broker at `url` (or to the first of several that accepts: see `createClient`)
 * and resolves with the client once the first CONNACK accepts it; rejects with a typed error when the URL is bad, the broker refuses, or the connection
 * fails or times out (and the client is ended).
 *
 * Rejects with `InvalidArgumentError` (a URL or option it cannot use), `ConnectRefusedError`
 * (the CONNACK refused: its `reasonCode` says why) or `ConnectionError` (nothing answered, the
 * wrong kind of port, a TLS failure, no CONNACK within `connectTimeoutMs`).
 *
 * @example
 * ```ts
 * import { connect } from '@courier/node';
 *
 * const client = await connect('mqtt://127.0.0.1:1883', { clientId: 'meter-7' });
 * await client.publish('readings/meter-7', JSON.stringify({ kWh: 12.5 }), { qos: 1 });
 * await client.end();
 * ```
 */
export function connect(urls: BrokerUrls, options: NodeClientOptions = {}): Promise<MqttClient> {
  try {
    return connectedClient(createClient(urls, options));
  } catch (error) {
    return Promise.reject(error);
  }
}
