import type { Packet } from '@courier/core';

/**
 * One packet seen by the broker. `direction` is from the broker's point of view: 'in' is client
 * to broker, 'out' broker to client. `fault` says when a fault changed its fate: 'dropped' (not
 * processed, not written, or cut off before it by 'cut-before') or 'delayed'.
 */
export interface TapEvent {
  clientId: string;
  direction: 'in' | 'out';
  packet: Packet;
  fault?: 'dropped' | 'delayed';
}

/** Receives every tap event, synchronously, in the order the broker handles the packets. */
export type TapListener = (event: TapEvent) => void;

/** The listeners of `broker.tap()`. Costs one boolean test per packet when there are none. */
export class Tap {
  /** True while at least one listener is registered. */
  active = false;
  private readonly listeners = new Set<TapListener>();

  constructor(private readonly log: (line: string) => void) {}

  /** Registers a listener; returns the function that removes it. */
  add(listener: TapListener): () => void {
    const entry: TapListener = (event) => listener(event); // the same function may be added twice
    this.listeners.add(entry);
    this.active = true;
    return () => {
      this.listeners.delete(entry);
      this.active = this.listeners.size > 0;
    };
  }

  emit(clientId: string, direction: 'in' | 'out', packet: Packet, fault?: 'dropped' | 'delayed'): void {
    const event: TapEvent = fault === undefined ? { clientId, direction, packet } : { clientId, direction, packet, fault };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A test's listener must not break the broker it observes.
        this.log(`tap listener threw: ${String(error)}`);
      }
    }
  }
}
