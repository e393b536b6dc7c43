/**
 * Fault injection for tests on a real network: a TCP proxy between client and broker that cuts,
 * stalls or slows a connection at chosen or seeded byte offsets.
 * @module @courier/node/testing
 */
export { type ChaosProxy, type ChaosProxyOptions, type InjectedFault, startChaosProxy } from './chaos-proxy';
export {
  type ChaosDirection,
  type ChaosFault,
  type ChaosFaultKind,
  type FaultPlan,
  type RandomFaultOptions,
  type Range,
  randomFaults,
  scriptedFaults,
} from './fault-plan';
export { deriveSeed, prng } from './prng';
