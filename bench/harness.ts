// A small benchmark harness: each case is timed in alternating rounds against its rival, so that
// drift on a shared machine (thermal, other processes) hits both sides alike. Reports the
// median ops/s of the rounds.

export interface Contender {
  name: string;
  /** One operation; returns something derived from its result so it cannot be optimised away. */
  run: () => number;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 250);

// Every result is added here, so the JIT cannot drop the work that produced it.
let sink = 0;

function timeRound(contender: Contender, ms: number): number {
  let ops = 0;
  let batch = 256;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) sink += contender.run();
    ops += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return (ops / elapsed) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Ops/s (median of rounds) of each contender, measured in alternation. */
export function compare(contenders: Contender[]): number[] {
  for (const contender of contenders) timeRound(contender, ROUND_MS); // warm-up: let the JIT settle
  const samples: number[][] = contenders.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    contenders.forEach((contender, i) => samples[i]!.push(timeRound(contender, ROUND_MS)));
  }
  return samples.map(median);
}

export function formatOps(opsPerSecond: number): string {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)} M/s`;
  return `${(opsPerSecond / 1e3).toFixed(0)} k/s`;
}
