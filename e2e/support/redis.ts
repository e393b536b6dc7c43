// redis-server (Debian's), started from the test setup on a free loopback port, in memory only
// (no RDB, no AOF), and stopped by its pid. A missing redis-server is a failure, with how to
// install it: never a skip.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './free-port';
import { waitReachable } from './reachable';

export interface RunningRedis {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const CANDIDATES = [process.env.REDIS_SERVER, '/usr/bin/redis-server', '/usr/local/bin/redis-server'];

function redisBinary(): string {
  const found = CANDIDATES.find((path): path is string => path !== undefined && existsSync(path));
  if (found === undefined) {
    throw new Error('redis-server is not installed: run `apt-get install -y redis-server` (.ci/run does), or set REDIS_SERVER to its path');
  }
  return found;
}

export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn(redisBinary(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitReachable(port, 10_000, () => (child.exitCode === null ? undefined : `redis-server exited at start: ${stderr}`));
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
