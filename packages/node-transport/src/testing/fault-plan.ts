import { deriveSeed, prng } from './prng';

/** 'up': client to broker; 'down': broker to client. */
export type ChaosDirection = 'up' | 'down';

/**
 * - `cut`: the bytes of `direction` up to `atByte` go through, then the connection ends: the
 *   receiving side gets a packet cut short at that byte and then end of stream; the sending side
 *   is closed at once, and whatever it had sent beyond is lost.
 * - `stall`: from that byte on, nothing moves either way for `durationMs`, then all of it does.
 * - `delay`: from that byte on, each chunk in `direction` is held `delayMs` for `durationMs`.
 */
export type ChaosFaultKind = 'cut' | 'stall' | 'delay';

/** One fault on one connection, at a byte offset of one direction of it. */
export interface ChaosFault {
  kind: ChaosFaultKind;
  direction: ChaosDirection;
  /** The fault fires once exactly this many bytes of `direction` have passed on the connection. */
  atByte: number;
  /** `stall`: how long nothing moves; `delay`: how long the direction is slowed. 0 for `cut`. */
  durationMs: number;
  /** `delay`: the latency added to each chunk. 0 otherwise. */
  delayMs: number;
}

/**
 * Where and which faults hit: for each connection through the proxy (numbered from 0 in the order
 * they are accepted) and each direction, the faults in `atByte` order. Each (connection,
 * direction) pair has a sequence of its own, so what happens on one never shifts the others.
 */
export interface FaultPlan {
  /** A short description (kind and seed), to print so that a run can be replayed. */
  readonly description: string;
  /** The faults of one connection (numbered as accepted) in one direction, in `atByte` order. */
  faults(connection: number, direction: ChaosDirection): Iterator<ChaosFault, undefined>;
}

/** A range [min, max] to draw from uniformly. */
export type Range = readonly [number, number];

/** Options of `randomFaults`: the seed, and the ranges faults are drawn from. */
export interface RandomFaultOptions {
  /** The same seed gives the same faults: print it, and pass it again to replay a failure. */
  seed: number;
  /** Bytes of one direction between two of its faults (and before the first), drawn from this range. */
  bytesBetween: Range;
  /** How often each kind is drawn, relative to the others (default: cut 3, stall 1, delay 1). */
  weights?: Partial<Record<ChaosFaultKind, number>>;
  /** How long a stall lasts, in ms (default 20 to 200). */
  stallMs?: Range;
  /** The latency a delay adds, in ms (default 10 to 100). */
  delayMs?: Range;
  /** How long a delay lasts, in ms (default 50 to 500). */
  delayForMs?: Range;
}

const KINDS: readonly ChaosFaultKind[] = ['cut', 'stall', 'delay'];
const DIRECTION_PART = { up: 1, down: 2 } as const;

/** Faults at random offsets, of random kinds and durations, all drawn from a seed. */
export function randomFaults(options: RandomFaultOptions): FaultPlan {
  const { seed, bytesBetween } = options;
  const weights = KINDS.map((kind) => options.weights?.[kind] ?? (kind === 'cut' ? 3 : 1));
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  if (!(bytesBetween[0] >= 1 && bytesBetween[1] >= bytesBetween[0]) || !(totalWeight > 0)) {
    throw new RangeError('randomFaults needs 1 <= bytesBetween[0] <= bytesBetween[1] and a positive weight');
  }
  const stallMs = options.stallMs ?? [20, 200];
  const delayMs = options.delayMs ?? [10, 100];
  const delayForMs = options.delayForMs ?? [50, 500];
  return {
    description: `random faults, seed ${seed}`,
    *faults(connection, direction) {
      const random = prng(deriveSeed(seed, connection, DIRECTION_PART[direction]));
      const between = (range: Range) => range[0] + Math.floor(random() * (range[1] - range[0] + 1));
      let atByte = 0;
      for (;;) {
        atByte += between(bytesBetween);
        let pick = random() * totalWeight;
        let k = 0;
        while (pick >= weights[k]! && k < KINDS.length - 1) pick -= weights[k++]!;
        const kind = KINDS[k]!;
        if (kind === 'cut') {
          yield { kind, direction, atByte, durationMs: 0, delayMs: 0 };
          return undefined; // nothing comes after a cut on this connection
        }
        if (kind === 'stall') yield { kind, direction, atByte, durationMs: between(stallMs), delayMs: 0 };
        else yield { kind, direction, atByte, durationMs: between(delayForMs), delayMs: between(delayMs) };
      }
    },
  };
}

/** Exactly these faults: for tests of the proxy itself, and to replay one case by hand. */
export function scriptedFaults(faults: readonly (ChaosFault & { connection?: number })[]): FaultPlan {
  return {
    description: `${faults.length} scripted faults`,
    faults(connection, direction) {
      const mine = faults
        .filter((fault) => (fault.connection ?? 0) === connection && fault.direction === direction)
        .map(({ connection: _connection, ...fault }) => fault)
        .sort((a, b) => a.atByte - b.atByte);
      return mine[Symbol.iterator]() as Iterator<ChaosFault, undefined>;
    },
  };
}
