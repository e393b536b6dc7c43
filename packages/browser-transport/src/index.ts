export * from '@courier/core';
export { type BrowserClientOptions, connect, createClient } from './create-client';
export { webSocketTransport, type WebSocketTransportOptions } from './web-socket-transport';
export { workerClock } from './worker-clock';
export { indexedDbOutbox, type IndexedDbOutboxOptions, type LockMode } from '@courier/outbox-store/idb';
