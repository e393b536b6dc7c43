export { type Broker, createBroker } from './broker';
export type { Fault, FaultHandle } from './faults';
export type { AuthenticateRequest, BrokerOptions, ClientInfo } from './options';
export type { TapEvent, TapListener } from './tap';
