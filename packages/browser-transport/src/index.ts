export * from '@courier/core';
export { type BrowserClientOptions, connect, createClient } from './create-client';
export { webSocketTransport, type WebSocketTransportOptions } from './web-socket-transport';
export { workerClock } from './worker-clock';
