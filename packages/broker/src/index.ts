export { type Broker, createBroker } from './broker';
export type { Fault, FaultHandle } from './faults';
export type { AuthenticateRequest, BrokerOptions, ClientInfo } from './options';
export type { TapEvent, TapListener } from './tap';
export { fileSessionStore } from './file-session-store';
export type { Delivery, Message } from './message';
export type { InflightMessage, SessionState, StoredSubscription } from './session-state';
export type { SessionSnapshot, SessionStore } from './session-store';
