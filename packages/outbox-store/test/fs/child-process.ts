import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./fixtures/outbox-child.ts', import.meta.url));
const running: ChildProcess[] = [];

// The child script bundled once (from the sources) into plain JavaScript: node starts it in a
// fraction of the time tsx takes, which adds up over the crash test's rounds on a busy machine.
let bundled: Promise<{ dir: string; file: string }> | undefined;

function bundle(): Promise<{ dir: string; file: string }> {
  bundled ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'courier-outbox-child-'));
    const file = join(dir, 'outbox-child.mjs');
    await build({ entryPoints: [SCRIPT], outfile: file, bundle: true, platform: 'node', format: 'esm', conditions: ['@courier/source'], logLevel: 'silent' });
    return { dir, file };
  })();
  return bundled;
}

afterAll(async () => {
  if (bundled !== undefined) await rm((await bundled).dir, { recursive: true, force: true });
});

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A child process running fixtures/outbox-child.ts, with its output as lines. */
export interface OutboxChild {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching `pattern` (now or later); rejects if the child exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Calls `onLine` with each line as it arrives (and those already there). */
  onLine(onLine: (line: string) => void): void;
  exited: Promise<void>;
}

/** Starts the child script with `args`; it is killed after the test if still running. */
export async function startChild(args: string[]): Promise<OutboxChild> {
  const child = spawn(process.execPath, [(await bundle()).file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.push(child);
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let partial = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onLine = (listener: (line: string) => void): void => {
    for (const line of lines) listener(line);
    listeners.push(listener);
  };
  return {
    child,
    lines,
    exited,
    onLine,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        onLine((line) => {
          const match = pattern.exec(line);
          if (match !== null) resolve(match);
        });
        void exited.then(() => reject(new Error(`the child exited before printing ${String(pattern)}: ${errors}`)));
      }),
  };
}
