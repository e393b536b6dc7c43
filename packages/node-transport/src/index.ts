export * from '@courier/core';
export { parseBrokerUrl, type BrokerUrl } from './broker-url';
export { connect, createClient, type NodeClientOptions, transportFor } from './create-client';
export { tcpTransport, type TcpTransportOptions } from './tcp-transport';
export type { TlsOptions } from './tls-options';
export { wsTransport, type WsTransportOptions } from './ws-transport';
