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
