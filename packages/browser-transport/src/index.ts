/**
 * The client for web pages and workers: `connect(url)` over the browser's WebSocket; with
 * `clean: false`, what is owed is kept in IndexedDB and survives a reload. Re-exports
 * everything from `@courier/core` (the wire-level codec's names too, documented under
 * `@courier/core/codec`).
 * @module @courier/browser
 */
export * from '@courier/core';
export { type BrokerUrls, type BrowserClientOptions, connect, createClient } from './create-client';
export { webSocketTransport, type WebSocketTransportOptions } from './web-socket-transport';
export { workerClock } from './worker-clock';
export { indexedDbOutbox } from './default-outbox';
export { serveSharedSessions } from './shared/serve-shared-sessions';
export { connectionOwner } from './shared/lazy-client';
export type { IndexedDbOutboxOptions, LockMode } from '@courier/outbox-store/idb';
