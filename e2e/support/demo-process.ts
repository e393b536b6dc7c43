// `npm start` as a child process, for the demo's tests: the command is read from package.json's
// "start" script (so the tests run what users run, without npm in between to forward signals),
// its output collected line by line, stopped with SIGINT as Ctrl-C would.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { repository } from './readme';

/** The addresses the demo printed. */
export interface DemoAddresses {
  pageUrl: string;
  mqttPort: number;
  wsPort: number;
  httpPort: number;
}

function startCommand(): string[] {
  const { scripts } = JSON.parse(readFileSync(`${repository}/package.json`, 'utf8')) as { scripts: Record<string, string> };
  return scripts.start!.split(' ');
}

export class DemoProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private partial = '';
  private stderr = '';
  private readonly waiters = new Set<() => void>();

  constructor(args: string[]) {
    const [command, ...rest] = startCommand();
    if (command !== 'node') throw new Error(`the start script no longer starts with node: ${command}`);
    this.child = spawn(process.execPath, [...rest, ...args], { cwd: repository, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      for (const waiter of this.waiters) waiter();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get errors(): string {
    return this.stderr;
  }

  /** The first line matching `pattern`; rejects (with the output so far) if the demo exits or `timeoutMs` passes first. */
  async line(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    let waiter = () => {};
    try {
      return await new Promise<RegExpMatchArray>((resolve, reject) => {
        const fail = (why: string) => reject(new Error(`${why} before a line matching ${pattern}:\n${this.lines.join('\n')}\n${this.stderr}`));
        const timer = setTimeout(() => fail(`no such line in ${timeoutMs} ms`), timeoutMs);
        waiter = () => {
          const found = this.lines.map((line) => line.match(pattern)).find((match) => match !== null);
          if (found === undefined) return;
          clearTimeout(timer);
          resolve(found);
        };
        this.waiters.add(waiter);
        void this.exited.then(() => {
          clearTimeout(timer);
          fail('the demo exited');
        });
        waiter();
      });
    } finally {
      this.waiters.delete(waiter);
    }
  }

  /** Waits for the addresses the demo prints once it listens. */
  async addresses(timeoutMs = 30_000): Promise<DemoAddresses> {
    const [, mqttPort, wsPort] = await this.line(/broker\s+mqtt:\/\/127\.0\.0\.1:(\d+) \(TCP\)\s+ws:\/\/127\.0\.0\.1:(\d+)\//, timeoutMs);
    const [, pageUrl, httpPort] = await this.line(/page\s+(http:\/\/127\.0\.0\.1:(\d+)\/)/, timeoutMs);
    return { pageUrl: pageUrl!, mqttPort: Number(mqttPort), wsPort: Number(wsPort), httpPort: Number(httpPort) };
  }

  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    return this.exited;
  }

  /** Kills it if it is still running (a test's cleanup after a failure). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** True when `port` on 127.0.0.1 can be listened on again, i.e. the demo let it go. */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  const [outcome] = await Promise.race([once(server, 'listening').then(() => ['free']), once(server, 'error').then(() => ['taken'])]);
  if (outcome === 'free') {
    server.close();
    await once(server, 'close');
  }
  return outcome === 'free';
}
