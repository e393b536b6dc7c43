// RabbitMQ 3.10 (Debian's rabbitmq-server, plugin rabbitmq_mqtt), one node or a cluster of
// several, on free loopback ports, started from the test setup and stopped by pid.
//
// How, since the Debian package starts no service here: each node is the rabbitmq-server script
// run in the foreground with its own RABBITMQ_NODENAME, node (AMQP), distribution and MQTT ports,
// RABBITMQ_MNESIA_BASE, config file and enabled-plugins file. All nodes share one HOME (its
// .erlang.cookie lets them, and rabbitmqctl, talk) and one epmd on a private port
// (ERL_EPMD_PORT), bound to 127.0.0.1 like the distribution listeners. Nodes after the first
// join the first with `rabbitmqctl stop_app; join_cluster; start_app`. A session survives the
// loss of its node only with quorum queues (`mqtt.durable_queue_type = quorum`, the default
// here for clusters) or mirrored classic queues; with plain classic queues it is lost.
// A node takes about 14 s to start on two shared cores, three about 45 s. MQTT 3.1.1 only.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './free-port';
import { waitReachable } from './reachable';

const BIN = process.env.RABBITMQ_BIN ?? '/usr/lib/rabbitmq/bin';
const START_TIMEOUT_MS = 120_000;

export interface RabbitNode {
  name: string;
  /** mqtt:// URL of its MQTT listener. */
  url: string;
  /** Kills the node's Erlang VM with SIGKILL (a crash) and waits until it is gone. */
  kill(): Promise<void>;
}

export interface RabbitCluster {
  readonly nodes: RabbitNode[];
  readonly urls: string[];
  /** Stops every node still running (gracefully, then SIGKILL), its epmd, and removes its files. */
  stop(): Promise<void>;
}

export interface RabbitOptions {
  /** Queue type of MQTT sessions: quorum (default with more than one node) or classic. */
  durableQueueType?: 'quorum' | 'classic';
}

function rabbitBinary(name: string): string {
  const path = join(BIN, name);
  if (!existsSync(path)) {
    throw new Error(`${name} is not installed: run \`apt-get install -y rabbitmq-server\` (.ci/run does), or set RABBITMQ_BIN to its folder`);
  }
  return path;
}

interface NodeProcess extends RabbitNode {
  env: NodeJS.ProcessEnv;
  process: ChildProcess;
  exited: Promise<void>;
  pidFile: string;
}

async function startNode(base: string, shared: NodeJS.ProcessEnv, index: number, ports: number[], options: RabbitOptions, size: number): Promise<NodeProcess> {
  const [nodePort, distPort, mqttPort] = ports.slice(3 * index, 3 * index + 3) as [number, number, number];
  const dir = join(base, `node-${index}`);
  mkdirSync(dir);
  const queueType = options.durableQueueType ?? (size > 1 ? 'quorum' : 'classic');
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = 127.0.0.1:${nodePort}`,
      `mqtt.listeners.tcp.default = 127.0.0.1:${mqttPort}`,
      'mqtt.allow_anonymous = true',
      `mqtt.durable_queue_type = ${queueType}`,
      'loopback_users = none',
      'log.console = true',
      'log.console.level = warning',
      'log.file = false',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_mqtt].\n');
  const name = `courier${index}@localhost`;
  const pidFile = join(dir, 'beam.pid');
  const env: NodeJS.ProcessEnv = {
    ...shared,
    RABBITMQ_NODENAME: name,
    RABBITMQ_NODE_PORT: String(nodePort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: pidFile,
  };
  const child = spawn(rabbitBinary('rabbitmq-server'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const node: NodeProcess = {
    name,
    url: `mqtt://127.0.0.1:${mqttPort}`,
    env,
    process: child,
    exited,
    pidFile,
    kill: async () => {
      // The script runs the VM as a child of its own: the VM is what a crash takes down.
      const pid = beamPid(pidFile);
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      await exited;
    },
  };
  try {
    await waitReachable(mqttPort, START_TIMEOUT_MS, () => (child.exitCode === null ? undefined : `RabbitMQ node ${name} exited at start: ${output}`));
  } catch (error) {
    await stopNode(node);
    throw error;
  }
  return node;
}

function beamPid(pidFile: string): number | undefined {
  try {
    return Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

async function stopNode(node: NodeProcess): Promise<void> {
  if (node.process.exitCode !== null || node.process.signalCode !== null) return;
  // SIGTERM to the script stops the VM cleanly (the script traps it); SIGKILL if it takes long.
  node.process.kill('SIGTERM');
  const timer = setTimeout(() => void node.kill(), 15_000);
  await node.exited;
  clearTimeout(timer);
}

const run = promisify(execFile);

function rabbitmqctl(node: NodeProcess, ...args: string[]): Promise<unknown> {
  return run(rabbitBinary('rabbitmqctl'), ['-n', node.name, ...args], { env: node.env, timeout: 60_000 });
}

/** Starts `size` nodes (in parallel), then joins each to the first. */
export async function startRabbitCluster(size = 1, options: RabbitOptions = {}): Promise<RabbitCluster> {
  const base = mkdtempSync(join(tmpdir(), 'courier-rabbitmq-'));
  writeFileSync(join(base, '.erlang.cookie'), 'COURIERTESTCOOKIE', { mode: 0o400 });
  // Every port at once, so that no two are the same: per node its AMQP, distribution and MQTT
  // ports, then epmd's; rabbitmqctl takes one of the ten above the last.
  const ports = await freePorts(3 * size + 2);
  const epmdPort = ports[3 * size]!;
  const ctlPort = ports[3 * size + 1]!;
  const loopbackDist = '-kernel inet_dist_use_interface {127,0,0,1}';
  const shared: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: base,
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: loopbackDist,
    RABBITMQ_CTL_ERL_ARGS: loopbackDist,
    RABBITMQ_CTL_DIST_PORT_MIN: String(ctlPort),
    RABBITMQ_CTL_DIST_PORT_MAX: String(ctlPort + 10),
  };
  const started = await Promise.allSettled(Array.from({ length: size }, (_, i) => startNode(base, shared, i, ports, options, size)));
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(nodes.map(stopNode));
    // The first node started epmd on our private port: ask it to go (it holds no registrations now).
    await run('epmd', ['-port', String(epmdPort), '-kill'], { env: shared }).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const [first, ...others] = nodes as [NodeProcess, ...NodeProcess[]];
    for (const node of others) {
      await rabbitmqctl(node, 'stop_app');
      await rabbitmqctl(node, 'join_cluster', first.name);
      await rabbitmqctl(node, 'start_app');
    }
    for (const node of nodes) await waitReachable(Number(new URL(node.url).port), START_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, urls: nodes.map((node) => node.url), stop };
}
