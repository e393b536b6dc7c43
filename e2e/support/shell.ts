// Commands run the way a person runs them from a README: through sh, in a given folder.
import { type ChildProcess, exec, spawn } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * The environment of a person's shell: this process's, without the NODE_ENV that a bundler run
 * in the same test worker may have set (Vite's build() sets "production"; npm then omits dev
 * dependencies, and `npm install -D vite` installs nothing).
 */
function shellEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_ENV;
  return env;
}

/** Runs `script` with sh in `cwd` and resolves with its output; rejects with the output on failure. */
export async function runShell(script: string, cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(exec)(script, { cwd, env: shellEnv(env), timeout: timeoutMs });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`\`${script}\` failed in ${cwd}:\n${stdout}${stderr}`, { cause: error });
  }
}

/** A long-running command (a server) in its own process group, so that one signal reaches all of it. */
export interface ShellProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output contains `text`; rejects if the command exits first or after `timeoutMs`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Sends `signal` to the whole group (npm and what it started) and waits for the pipes to close. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startShell(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): ShellProcess {
  const child = spawn('sh', ['-c', command], { cwd, env: shellEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: (() => void)[] = [];
  const take = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  // 'close': every process of the group holding the pipes has exited and its output is read.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    output: () => output,
    waitFor: (text, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`\`${command}\` printed no "${text}" in ${timeoutMs} ms:\n${output}`)), timeoutMs);
        const check = (): void => {
          if (!output.includes(text)) return void waiters.push(check);
          clearTimeout(timer);
          resolve();
        };
        void closed.then(() => {
          clearTimeout(timer);
          reject(new Error(`\`${command}\` exited before printing "${text}":\n${output}`));
        });
        check();
      }),
    stop: async (signal = 'SIGTERM') => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // The group is gone already.
      }
      await closed;
    },
  };
}
