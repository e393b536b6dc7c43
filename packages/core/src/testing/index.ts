/**
 * For implementers of a port: the contract suites (run them against your Transport, OutboxStore
 * or Clock, under Vitest), a manual clock and an in-memory transport for tests without sockets.
 * @module @courier/core/testing
 */
export { clockContract, type ClockFixture } from './clock-contract';
export { flush } from './flush';
export { ManualClock } from './manual-clock';
export { MemoryPeer, MemoryTransport, type MemoryTransportOptions } from './memory-transport';
export { outboxStoreContract, type OutboxStoreFixture } from './outbox-store-contract';
export { transportContract, type TransportFixture, type TransportPeer } from './transport-contract';
