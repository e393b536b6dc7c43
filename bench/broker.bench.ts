// `npm run bench:broker`: the reference broker against Aedes 1.2, side by side in one run.
// Each broker runs in a process of its own (ours from its CLI, from source), and so do the
// MQTT.js publisher and subscriber (bench/broker/client-process.ts). For each QoS, 20,000
// messages of 64 bytes go from the publisher to the subscriber, MQTT 3.1.1 (Aedes refuses 5.0);
// at QoS 1 and 2 the publisher keeps at most 100 unacknowledged, since MQTT.js ignores Receive
// Maximum; at QoS 0 it sends everything at once. The figure is messages per second at the
// subscriber, from the publisher's first send to the subscriber's last receipt (median of the
// rounds, after one uncounted warm-up round; brokers alternate within each round). Prints a
// Markdown table for bench/RESULTS.md.
// BENCH_PROFILE=1 runs every process with --cpu-prof (profiles in .cache/bench-profiles/);
// BENCH_QOS=1 (or 0,2 ...) runs only those QoS levels; BENCH_ROUNDS and BENCH_MESSAGES as named.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const LEVELS = (process.env.BENCH_QOS ?? '0,1,2').split(',').map(Number) as (0 | 1 | 2)[];
const MAX_IN_FLIGHT = 100;
// A QoS 0 message that has not arrived after this much silence is counted as lost.
const QUIET_MS = 2000;

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
// Aedes does not export its package.json; read it from where npm put it.
const aedesVersion = (JSON.parse(readFileSync(here('../node_modules/aedes/package.json'), 'utf8')) as { version: string }).version;
const tsx = ['--conditions=@courier/source', '--import', 'tsx'];

interface Broker {
  name: string;
  port: number;
  process: ChildProcess;
}

const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${here('../.cache/bench-profiles')}`] : [];

function startBroker(name: string, args: string[]): Promise<Broker> {
  const child = spawn(process.execPath, [...profile, ...tsx, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match !== null) resolve({ name, port: Number(match[1]), process: child });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
}

/** A client process and a way to send it a command and wait for its next answer. */
class Client {
  readonly process = fork(here('./broker/client-process.ts'), { execArgv: [...profile, ...tsx], stdio: 'inherit' });
  private pending: ((message: Record<string, unknown>) => void)[] = [];

  constructor() {
    this.process.on('message', (message: Record<string, unknown>) => {
      if (typeof message.error === 'string') throw new Error(`client process: ${message.error}`);
      this.pending.shift()?.(message);
    });
  }

  ask(command: object): Promise<Record<string, unknown>> {
    const answer = this.next();
    this.process.send(command);
    return answer;
  }

  /** The next answer, without sending anything. */
  next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.pending.push(resolve));
  }

  tell(command: object): void {
    this.process.send(command);
  }
}

interface Run {
  rate: number;
  received: number;
  duplicates: number;
}

async function run(broker: Broker, qos: 0 | 1 | 2, subscriber: Client, publisher: Client): Promise<Run> {
  await subscriber.ask({ role: 'subscribe', port: broker.port, qos, count: COUNT });
  await publisher.ask({ role: 'publish', port: broker.port, qos, count: COUNT, maxInFlight: MAX_IN_FLIGHT });
  const result = subscriber.next(); // the subscriber answers once it has every message
  const published = publisher.ask({ go: true });
  // At QoS 0 messages may be lost: stop waiting after a quiet spell once the publisher is done.
  let timer: NodeJS.Timeout | undefined;
  void published.then(() => (timer = setTimeout(() => subscriber.tell({ stop: true }), QUIET_MS)));
  const [sub, pub] = await Promise.all([result, published]);
  clearTimeout(timer);
  const seconds = Number(BigInt(sub.lastAt as string) - BigInt(pub.startedAt as string)) / 1e9;
  const received = sub.received as number;
  return { rate: received / seconds, received, duplicates: sub.duplicates as number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const format = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')}`;

const brokers = [
  await startBroker('Courier broker', [here('../packages/broker/src/cli.ts'), '--port', '0']),
  await startBroker(`Aedes ${aedesVersion}`, [here('./broker/aedes-server.ts')]),
];
const subscriber = new Client();
const publisher = new Client();

try {
  console.log(`${COUNT} messages of 64 B per run, ${ROUNDS} rounds, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
  const rates = new Map<string, number[]>();
  const notes: string[] = [];
  // Round 0 warms up the JIT of every process and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const qos of LEVELS) {
      const order = round % 2 === 0 ? brokers : [...brokers].reverse();
      for (const broker of order) {
        const result = await run(broker, qos, subscriber, publisher);
        const label = round === 0 ? 'warm-up' : `round ${round}`;
        console.error(`${label} QoS ${qos} ${broker.name}: ${format(result.rate)} msg/s (${result.received} received)`);
        if (round === 0) continue;
        const key = `${broker.name}/${qos}`;
        rates.set(key, [...(rates.get(key) ?? []), result.rate]);
        if (result.received !== COUNT || result.duplicates > 0) {
          notes.push(`${broker.name}, QoS ${qos}, round ${round}: ${result.received} received, ${result.duplicates} duplicates`);
        }
      }
    }
  }
  console.log('');
  console.log(`| QoS | ${brokers[0]!.name} | ${brokers[1]!.name} | ratio |`);
  console.log('|---|---:|---:|---:|');
  for (const qos of LEVELS) {
    const ours = median(rates.get(`${brokers[0]!.name}/${qos}`)!);
    const theirs = median(rates.get(`${brokers[1]!.name}/${qos}`)!);
    console.log(`| ${qos} | ${format(ours)} msg/s | ${format(theirs)} msg/s | ${(ours / theirs).toFixed(2)}× |`);
  }
  for (const note of notes) console.log(`\nNote: ${note}`);
} finally {
  for (const broker of brokers) broker.process.kill('SIGTERM');
  await Promise.all(brokers.map((broker) => new Promise((resolve) => broker.process.once('exit', resolve))));
  subscriber.process.disconnect();
  publisher.process.disconnect();
}
