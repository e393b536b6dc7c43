// Mosquitto, started from the test setup on free loopback ports with its own config, and stopped
// by its pid. A missing mosquitto is a failure, with how to install it: never a skip.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { reachable } from './reachable';

export interface RunningMosquitto {
  port: number;
  wsPort: number;
  /** Its process id, for a caller that must kill it synchronously (on exit or a signal). */
  pid: number;
  stop(): Promise<void>;
}

const CANDIDATES = [process.env.MOSQUITTO, '/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'];

/** The path of the mosquitto binary; throws, saying how to install it, when there is none. */
export function mosquittoBinary(): string {
  const found = CANDIDATES.find((path): path is string => path !== undefined && existsSync(path));
  if (found === undefined) {
    throw new Error('mosquitto is not installed: run `apt-get install -y mosquitto` (.ci/run does), or set MOSQUITTO to its path');
  }
  return found;
}

/** `config`: more lines for mosquitto.conf (`set_tcp_nodelay true`, say). */
export async function startMosquitto(config: string[] = []): Promise<RunningMosquitto> {
  const [port, wsPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'courier-mosquitto-'));
  // max_inflight_messages 0: Mosquitto 2.0.11 otherwise acknowledges QoS 2 from a 3.1.1 client
  // beyond 20 in flight and never delivers them (TOOLCHAIN.md). `bind_interface lo` keeps the
  // WebSocket listener on loopback.
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'max_inflight_messages 0',
      'max_queued_messages 100000',
      'log_dest stderr',
      'log_type error',
      `listener ${port} 127.0.0.1`,
      `listener ${wsPort}`,
      'bind_interface lo',
      'protocol websockets',
      ...config,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(mosquittoBinary(), ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited at start: ${stderr}`);
    if ((await reachable(port)) && (await reachable(wsPort))) {
      return {
        port,
        wsPort,
        pid: child.pid!,
        stop: async () => {
          if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
          await exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  throw new Error(`mosquitto did not start listening: ${stderr}`);
}
