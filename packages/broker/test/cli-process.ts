// The CLI as a child process, spawned from source as the README says to run it, killed by pid
// after each test.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { within } from './helpers';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

export interface RunningCli {
  child: ChildProcess;
  /** Every line it printed, stdout and stderr together. */
  lines: string[];
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

/** Starts `courier-broker` with `args`. */
export function startCli(args: string[]): RunningCli {
  const child = spawn(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buffered = '';
  const take = (chunk: Buffer): void => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor: (pattern) =>
      within(
        new Promise((resolve) => {
          const check = (): void => {
            for (const line of lines) {
              const match = pattern.exec(line);
              if (match !== null) return resolve(match);
            }
            waiters.push(check);
          };
          check();
        }),
        `the CLI to print ${String(pattern)}`,
        15_000,
      ),
  };
}

/** Starts the CLI on a free TCP port with `args` and resolves with that port once it listens. */
export async function startCliBroker(args: string[]): Promise<{ cli: RunningCli; port: number }> {
  const cli = startCli(['--port', '0', ...args]);
  const [, port] = await cli.waitFor(/listening on mqtt:\/\/127\.0\.0\.1:(\d+)/);
  return { cli, port: Number(port) };
}
