/**
 * The reference broker: MQTT 3.1.1 and 5.0 over TCP and WebSocket, for development and tests,
 * with a packet tap and fault injection. Start it in-process with `createBroker({ port: 0 })`,
 * or from the command line (`npm run broker` in the repository, `courier-broker` once installed). In production, use a standard broker.
 * @module @courier/broker
 */
export { type Broker, createBroker } from './broker';
export type { Fault, FaultHandle } from './faults';
export type { AuthConversation, AuthenticateRequest, AuthOutcome, BrokerOptions, ClientInfo, EnhancedAuthenticator } from './options';
export {
  formatScramUser,
  parseScramUsers,
  SCRAM_SHA_256,
  type ScramLookup,
  type ScramUser,
  scramSha256Authenticator,
  scramUser,
  scramUsers,
} from './scram-sha256';
export type { TapEvent, TapListener } from './tap';
export { fileSessionStore } from './file-session-store';
export type { BrokerMessage, Delivery } from './message';
export type { InflightMessage, SessionState, StoredSubscription } from './session-state';
export type { SessionSnapshot, SessionStore } from './session-store';
