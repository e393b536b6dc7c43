import type { Packet } from '@courier/core';

/**
 * A fault to inject: for the packets of one client (or every client) of a type, in a direction,
 * `drop` (not processed / not written), `delay` by `delayMs` (later packets in that direction
 * wait behind it, as on a slow network), `cut-before` (close the connection instead of
 * handling it) or `cut-after` (handle it, then close). Applies to the next `count` matching
 * packets (default 1).
 */
export interface Fault {
  /** Only this client's packets; every client's when left out. */
  clientId?: string;
  direction: 'in' | 'out';
  type: Packet['type'];
  action: 'drop' | 'delay' | 'cut-before' | 'cut-after';
  count?: number;
  delayMs?: number;
  /** A further condition on the packet, e.g. `(p) => p.type === 'publish' && p.qos === 2`. */
  match?: (packet: Packet) => boolean;
}

/** A fault once injected: how many packets it has hit so far, and a way to withdraw it. */
export interface FaultHandle {
  readonly hits: number;
  /** Withdraws the fault: packets after this pass untouched. */
  remove(): void;
}

interface ActiveFault {
  readonly fault: Fault;
  remaining: number;
  hits: number;
}

const ACTIONS = new Set(['drop', 'delay', 'cut-before', 'cut-after']);

/** The faults in force, checked in the order they were injected; the first that matches applies. */
export class FaultSet {
  /** True while at least one fault is in force: the packet path skips the search otherwise. */
  active = false;
  private faults: ActiveFault[] = [];

  add(fault: Fault): FaultHandle {
    const count = fault.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError('fault.count must be a positive integer');
    if (fault.direction !== 'in' && fault.direction !== 'out') throw new RangeError("fault.direction must be 'in' or 'out'");
    if (!ACTIONS.has(fault.action)) throw new RangeError(`unknown fault action ${String(fault.action)}`);
    if (fault.action === 'delay' && !(typeof fault.delayMs === 'number' && fault.delayMs >= 0)) {
      throw new RangeError('a delay fault needs delayMs >= 0');
    }
    const entry: ActiveFault = { fault: { ...fault }, remaining: count, hits: 0 };
    this.faults.push(entry);
    this.active = true;
    return {
      get hits() {
        return entry.hits;
      },
      remove: () => this.remove(entry),
    };
  }

  clear(): void {
    this.faults = [];
    this.active = false;
  }

  /** The fault that applies to this packet, counted as a hit; undefined when none does. */
  take(clientId: string, direction: 'in' | 'out', packet: Packet): Fault | undefined {
    for (const entry of this.faults) {
      const { fault } = entry;
      if (fault.direction !== direction || fault.type !== packet.type) continue;
      if (fault.clientId !== undefined && fault.clientId !== clientId) continue;
      if (fault.match !== undefined && !safeMatch(fault.match, packet)) continue;
      entry.hits += 1;
      entry.remaining -= 1;
      if (entry.remaining === 0) this.remove(entry);
      return fault;
    }
    return undefined;
  }

  private remove(entry: ActiveFault): void {
    this.faults = this.faults.filter((each) => each !== entry);
    this.active = this.faults.length > 0;
  }
}

function safeMatch(match: (packet: Packet) => boolean, packet: Packet): boolean {
  try {
    return match(packet);
  } catch {
    return false; // a throwing predicate matches nothing rather than break the connection
  }
}
