import { type ChildProcess, spawn } from 'node:child_process';
import { repository } from './readme';

/** How a child script runs: by default Node with tsx, the @courier/* packages from their sources. */
const FROM_SOURCE = [process.execPath, '--conditions=@courier/source', '--import', 'tsx'];

/** A child process running a script (TypeScript from source by default, or `launcher` + script), whose stdout lines are collected as they come. */
export class ChildScript {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private partial = '';
  private stderr = '';
  private listeners: (() => void)[] = [];

  constructor(script: string, args: string[], launcher: readonly string[] = FROM_SOURCE) {
    const [command, ...launchArgs] = launcher as [string, ...string[]];
    this.child = spawn(command, [...launchArgs, script, ...args], {
      cwd: repository,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      for (const listener of this.listeners.splice(0)) listener();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // 'close', not 'exit': a process can exit before its last lines have been read from the pipe.
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  get errors(): string {
    return this.stderr;
  }

  /** Resolves once a line matches, or the process exits (false), or `timeoutMs` passes (false). */
  waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const check = () => {
        if (this.lines.some(predicate)) {
          clearTimeout(timer);
          resolve(true);
        } else {
          this.listeners.push(check);
        }
      };
      void this.exited.then(() => {
        clearTimeout(timer);
        resolve(this.lines.some(predicate));
      });
      check();
    });
  }

  /** Sends SIGINT, as Ctrl-C would, and resolves with its exit code. */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    return this.exited;
  }

  /** Kills it with SIGKILL, as a crash would, and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.pid !== undefined) this.child.kill('SIGKILL');
    await this.exited;
  }
}
