// `npm run bench:outbox`: QoS 1 throughput of the client with each outbox, side by side in one
// run: the memory outbox, and fileOutbox with fsync 'never', 'batch' and 'always'. The client
// (@courier/node's connect, MQTT 5.0) publishes 20,000 messages of 64 bytes over TCP to the
// reference broker, started in this process on 127.0.0.1, keeping at most 100 unacknowledged;
// the figure is messages per second from the first publish to the last PUBACK. Each round runs
// every outbox once, in turn, on a fresh client id and a fresh journal directory; the table
// has the median of the rounds, after one uncounted warm-up round. 'always' pays one fsync
// per write (the PUBACK's delete included), so it runs fewer messages: rates stay comparable.
// The disk sets the pace of 'batch' and 'always': the run also measures what one append and
// fdatasync of 4 KiB take on the journal's file system, before and after the rounds.
// Two more rows, marked as such, keep at most 1,000 unacknowledged (and let the client have
// 1,000 in flight): the memory outbox and 'batch', to show how far the 100 window is what
// limits 'batch' (its writes wait for an fsync, a fixed time, so more of them share each one).
// BENCH_ROUNDS, BENCH_MESSAGES and BENCH_ALWAYS_MESSAGES as named.
import { closeSync, fdatasync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker } from '@courier/broker';
import { connect, MemoryOutbox, type OutboxStore } from '@courier/node';
import { type FileOutbox, fileOutbox, type FsyncPolicy, type JournalStats } from '@courier/outbox-store/fs';
import { publishWindowed } from './outbox-window';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 20_000);
const ALWAYS_COUNT = Number(process.env.BENCH_ALWAYS_MESSAGES ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MAX_OUTSTANDING = 100;
const WIDE_WINDOW = 1_000;
const PAYLOAD = new Uint8Array(64).fill(0x61);

interface Contender {
  name: string;
  count: number;
  /** At most this many unacknowledged (MAX_OUTSTANDING unless the row says otherwise). */
  window: number;
  /** A fresh outbox store for one run, and the journal's counters after it (file outboxes). */
  start(): Promise<{ store: OutboxStore; stats(): JournalStats | undefined; cleanup(): Promise<void> }>;
}

function fileContender(fsync: FsyncPolicy, count: number, window = MAX_OUTSTANDING): Contender {
  return {
    name: `fileOutbox, fsync '${fsync}'${windowNote(window)}`,
    count,
    window,
    async start() {
      const dir = await mkdtemp(join(tmpdir(), 'courier-bench-outbox-'));
      const files = fileOutbox({ dir, fsync });
      let opened: FileOutbox | undefined;
      return {
        store: { open: async (clientId) => (opened = await files.open(clientId)) },
        stats: () => opened?.stats(),
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
}

function windowNote(window: number): string {
  return window === MAX_OUTSTANDING ? '' : ` (window ${window.toLocaleString('en-US')})`;
}

function memoryContender(window = MAX_OUTSTANDING): Contender {
  return {
    name: `memory outbox${windowNote(window)}`,
    count: COUNT,
    window,
    start: async () => ({ store: new MemoryOutbox(), stats: () => undefined, cleanup: async () => undefined }),
  };
}

const contenders: Contender[] = [
  memoryContender(),
  fileContender('never', COUNT),
  fileContender('batch', COUNT),
  fileContender('always', ALWAYS_COUNT),
  memoryContender(WIDE_WINDOW),
  fileContender('batch', COUNT, WIDE_WINDOW),
];

interface Run {
  rate: number;
  stats: JournalStats | undefined;
}

let runs = 0;

async function run(port: number, contender: Contender): Promise<Run> {
  const outbox = await contender.start();
  const client = await connect(`mqtt://127.0.0.1:${port}`, { clientId: `bench-outbox-${runs++}`, outbox: outbox.store, maxInflight: Math.max(100, contender.window) });
  const started = performance.now();
  await publishWindowed(() => client.publish('bench/outbox', PAYLOAD, { qos: 1 }), contender.count, contender.window);
  const rate = contender.count / ((performance.now() - started) / 1000);
  await client.end();
  const stats = outbox.stats();
  await outbox.cleanup();
  return { rate, stats };
}

/** The median time of an append of 4 KiB and its fdatasync, in ms, on a file in the temp dir. */
async function fsyncProbe(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-bench-fsync-'));
  const fd = openSync(join(dir, 'probe'), 'a');
  const block = new Uint8Array(4096);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    writeSync(fd, block);
    await new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error === null ? resolve() : reject(error))));
    times.push(performance.now() - started);
  }
  closeSync(fd);
  await rm(dir, { recursive: true, force: true });
  return median(times);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const broker = await createBroker({ port: 0 });
try {
  const loadBefore = loadavg()[0]!;
  const fsyncBefore = await fsyncProbe();
  for (const contender of contenders) await run(broker.port, contender); // warm-up
  const results = contenders.map(() => [] as Run[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, contender] of contenders.entries()) results[i]!.push(await run(broker.port, contender));
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  const fsyncAfter = await fsyncProbe();
  const loadAfter = loadavg()[0]!;
  const rates = results.map((runsOf) => median(runsOf.map((r) => r.rate)));
  // Each row against the memory outbox with the same window.
  const memoryRate = (window: number): number => rates[contenders.findIndex((c) => c.name.startsWith('memory') && c.window === window)]!;
  console.log(`QoS 1, ${COUNT.toLocaleString('en-US')} × ${PAYLOAD.length}-byte messages ('always': ${ALWAYS_COUNT.toLocaleString('en-US')}), at most ${MAX_OUTSTANDING} outstanding, median of ${ROUNDS} rounds`);
  console.log(`Node ${process.versions.node}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(`append 4 KiB + fdatasync: median ${fsyncBefore.toFixed(2)} ms before the rounds, ${fsyncAfter.toFixed(2)} ms after`);
  // Other processes share the machine: its load says how far these figures are a quiet machine's.
  console.log(`load average (1 min): ${loadBefore.toFixed(2)} before the rounds, ${loadAfter.toFixed(2)} after\n`);
  // The journal's counters are those of the last round (the same in every round but for fsyncs).
  console.log('| outbox | msg/s | vs memory | writes | fsyncs | compactions |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [i, contender] of contenders.entries()) {
    const last = results[i]!.at(-1)!.stats;
    const count = (value: number | undefined): string => (value === undefined ? '–' : value.toLocaleString('en-US'));
    const rate = Math.round(rates[i]!).toLocaleString('en-US');
    console.log(`| ${contender.name} | ${rate} | ${(rates[i]! / memoryRate(contender.window)).toFixed(2)}× | ${count(last?.writes)} | ${count(last?.fsyncs)} | ${count(last?.compactions)} |`);
  }
  console.log(`\nper-round msg/s: ${contenders.map((c, i) => `${c.name}: ${results[i]!.map((r) => Math.round(r.rate)).join(', ')}`).join('; ')}`);
} finally {
  await broker.close();
}
