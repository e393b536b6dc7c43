export { clockContract, type ClockFixture } from './clock-contract';
export { flush } from './flush';
export { ManualClock } from './manual-clock';
export { MemoryPeer, MemoryTransport, type MemoryTransportOptions } from './memory-transport';
export { outboxStoreContract, type OutboxStoreFixture } from './outbox-store-contract';
export { transportContract, type TransportFixture, type TransportPeer } from './transport-contract';
