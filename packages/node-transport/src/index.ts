/**
 * The client for Node services: `connect(url)` over TCP, TLS or WebSocket, plus everything from
 * `@courier/core`. Pair it with `fileOutbox` from `@courier/outbox-store/fs` so that what is owed
 * survives a crash. The wire-level codec's names are exported too; they are documented under
 * `@courier/core/codec`.
 * @module @courier/node
 */
export * from '@courier/core';
export { parseBrokerUrl, type BrokerUrl } from './broker-url';
export { type BrokerUrls, connect, createClient, type NodeClientOptions, transportFor } from './create-client';
export { tcpTransport, type TcpTransportOptions } from './tcp-transport';
export type { TlsOptions } from './tls-options';
export { wsTransport, type WsTransportOptions } from './ws-transport';
