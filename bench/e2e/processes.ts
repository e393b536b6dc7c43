// The processes bench/e2e.bench.ts starts: three brokers and, per run, two client processes.
// Every child is registered here and killed by its pid when the bench ends, fails, or is
// interrupted, so no broker or client outlives it.
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { mosquittoBinary, startMosquitto as startE2eMosquitto } from '../../e2e/support/mosquitto';
import type { ClientConfig, Command, Reply } from './shared';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
export const TSX = ['--conditions=@courier/source', '--import', 'tsx'];

// --- the client processes' code --------------------------------------------------------------

/**
 * The client process is bundled once per bench run from the TypeScript sources (export condition
 * @courier/source, so never a stale dist/) and run with plain node. Under tsx every client
 * process took about 0.9 s to start instead of 0.3 s (two per run, about 100 runs per round) and
 * carried tsx's loader thread, about 30 MiB of RSS that would blur the RSS comparison. MQTT.js and
 * ws stay external: they run as installed. BENCH_TSX=1 runs the sources under tsx instead.
 */
const CLIENT_SOURCE = here('./client-process.ts');
const CLIENT_BUNDLE = here('../../.cache/bench-e2e/client-process.mjs');
let clientEntry: { file: string; execArgv: string[] } | undefined;

export async function prepareClient(): Promise<void> {
  if (process.env.BENCH_TSX === '1') {
    clientEntry = { file: CLIENT_SOURCE, execArgv: TSX };
    return;
  }
  await build({
    entryPoints: [CLIENT_SOURCE],
    outfile: CLIENT_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@courier/source'],
    external: ['mqtt', 'ws'],
    logLevel: 'warning',
  });
  clientEntry = { file: CLIENT_BUNDLE, execArgv: [] };
}

// --- every child, and how they all end -------------------------------------------------------

const children = new Set<ChildProcess>();
/** Children started by e2e/support (Mosquitto), known by pid only. */
const pids = new Set<number>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every child still running (SIGKILL, by pid): synchronous. */
export function killAll(): void {
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null).map((child) => child.pid);
  for (const pid of [...running, ...pids]) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  pids.clear();
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Waits for `child` to exit; after `ms`, kills it by pid and waits for that. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', ms = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.pid !== undefined) process.kill(child.pid, signal);
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

// --- brokers ---------------------------------------------------------------------------------

export interface Broker {
  /** reference, mosquitto, aedes */
  id: string;
  name: string;
  port: number;
  /** MQTT versions it speaks. */
  versions: (4 | 5)[];
  /** Stops it (by pid) and waits until it has exited. */
  stop: () => Promise<void>;
  /** How many times it logged that a client's queue was full and it dropped messages (reference broker). */
  queueFullLogs: () => number;
}

/** A Node broker that prints "listening on mqtt://127.0.0.1:PORT" once it listens. */
function startNodeBroker(args: string[], execArgv: string[]): Promise<{ port: number; process: ChildProcess; queueFullLogs: () => number }> {
  const child = track(spawn(process.execPath, [...execArgv, ...TSX, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let queueFull = 0;
  const queueFullLogs = (): number => queueFull;
  return new Promise((resolve, reject) => {
    let output = '';
    let listening = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      // "<client>: queue full (1000 messages), dropping new messages", once per episode.
      queueFull += text.split('queue full').length - 1;
      if (listening) return;
      output += text;
      const match = /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match !== null) {
        listening = true;
        resolve({ port: Number(match[1]), process: child, queueFullLogs });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code} before listening`)));
  });
}

/** The reference broker through bench/e2e/reference-server.ts, from source, in its own process. */
export async function startReference(execArgv: string[] = []): Promise<Broker> {
  const { port, process: child, queueFullLogs } = await startNodeBroker([here('./reference-server.ts')], execArgv);
  return { id: 'reference', name: 'reference broker', port, versions: [4, 5], stop: () => stop(child), queueFullLogs };
}

/** Aedes through bench/broker/aedes-server.ts (as bench:broker runs it), in its own process. */
export async function startAedes(execArgv: string[] = []): Promise<Broker> {
  const version = (JSON.parse(readFileSync(here('../../node_modules/aedes/package.json'), 'utf8')) as { version: string }).version;
  const { port, process: child, queueFullLogs } = await startNodeBroker([here('../broker/aedes-server.ts')], execArgv);
  return { id: 'aedes', name: `Aedes ${version}`, port, versions: [4], stop: () => stop(child), queueFullLogs };
}

/**
 * Mosquitto on a free loopback port with its own config, through e2e/support/mosquitto.ts (as the
 * end-to-end tests start it): max_inflight_messages 0, since Mosquitto 2.0.11 otherwise
 * acknowledges QoS 2 messages from a 3.1.1 client beyond 20 in flight and never delivers them
 * (TOOLCHAIN.md) and MQTT.js and the raw client keep more than 20 in flight; queues of 100,000
 * messages, more than a run's 22,000, so that nothing is dropped by design.
 */
export async function startMosquitto(): Promise<Broker> {
  const binary = mosquittoBinary();
  const help = spawnSync(binary, ['-h'], { encoding: 'utf8' });
  const version = /mosquitto version (\S+)/.exec(help.stdout ?? '')?.[1];
  const mosquitto = await startE2eMosquitto();
  pids.add(mosquitto.pid);
  const stop = async (): Promise<void> => {
    await mosquitto.stop();
    pids.delete(mosquitto.pid);
  };
  return { id: 'mosquitto', name: `Mosquitto ${version ?? ''}`.trim(), port: mosquitto.port, versions: [4, 5], stop, queueFullLogs: () => 0 };
}

// --- client processes ------------------------------------------------------------------------

/** A client process (bench/e2e/client-process.ts) and its replies, awaited by type. */
export class ClientProcess {
  readonly process: ChildProcess;
  private readonly replies: Reply[] = [];
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  readonly notes: string[] = [];

  constructor(config: ClientConfig, execArgv: string[] = []) {
    if (clientEntry === undefined) throw new Error('prepareClient() first');
    this.process = track(fork(clientEntry.file, [JSON.stringify(config)], { execArgv: [...execArgv, ...clientEntry.execArgv], stdio: 'inherit' }));
    this.process.on('message', (reply: Reply) => {
      if (reply.type === 'error') this.failure ??= new Error(reply.message);
      else if (reply.type === 'note') this.notes.push(reply.message);
      else this.replies.push(reply);
      this.waiter?.();
    });
    this.process.once('exit', (code, signal) => {
      this.failure ??= new Error(`the ${config.role} exited (${code ?? signal})`);
      this.waiter?.();
    });
  }

  /** The next reply of this type; rejects on an error from the child, its exit, or after `ms`. */
  async next<T extends Reply['type']>(type: T, ms: number): Promise<Extract<Reply, { type: T }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.replies.findIndex((reply) => reply.type === type);
      if (index >= 0) return this.replies.splice(index, 1)[0] as Extract<Reply, { type: T }>;
      if (this.failure !== undefined) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${type}' within ${Math.round(ms / 1000)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  tell(command: Command): void {
    if (this.process.connected) this.process.send(command);
  }

  /** Asks it to leave; kills it by pid if it has not within 3 s. */
  async exit(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = once(this.process, 'exit');
    this.tell({ type: 'exit' });
    const timer = setTimeout(() => this.process.pid !== undefined && process.kill(this.process.pid, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
