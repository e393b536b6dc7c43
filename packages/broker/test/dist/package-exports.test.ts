// The built package as users get it: ESM and CJS entries, bundled declarations, and the CLI
// started the ways the README says.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterEach, describe, expect, test } from 'vitest';
import * as esm from '@courier/broker';

const root = fileURLToPath(new URL('../../', import.meta.url));
const repository = fileURLToPath(new URL('../../../../', import.meta.url));
const require = createRequire(import.meta.url);
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs a command, resolves with its output once `pattern` shows up in it (or it exits). */
function run(
  command: string,
  args: string[],
  pattern: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray | null; output: string }> {
  const child = spawn(command, args, { cwd: repository, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(pattern)} in: ${output}`)), 20_000);
    const take = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      resolve({ child, match, output });
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    // 'close', not 'exit': a process can exit before its last output has been read from the pipe.
    child.once('close', () => {
      clearTimeout(timer);
      resolve({ child, match: pattern.exec(output), output });
    });
  });
}

describe('the built @courier/broker', () => {
  test('resolves to dist/ here, not to the sources', () => {
    expect(require.resolve('@courier/broker')).toBe(`${root}dist/index.cjs`);
  });

  test('its CJS entry exports what its ESM entry does', () => {
    const cjs = require('@courier/broker') as typeof esm;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(Object.keys(esm).sort()).toEqual(
      ['createBroker', 'fileSessionStore', 'formatScramUser', 'parseScramUsers', 'SCRAM_SHA_256', 'scramSha256Authenticator', 'scramUser', 'scramUsers'].sort(),
    );
  });

  test('ships bundled declarations for import and require', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      const text = readFileSync(`${root}${file}`, 'utf8');
      expect(text).toMatch(/declare function createBroker/);
      expect(text).toMatch(/interface Fault\b/);
      expect(text).toMatch(/interface SessionStore\b/);
      expect(text).not.toMatch(/from '\.\//);
    }
  });

  test('serves a client from its ESM build', async () => {
    const broker = await esm.createBroker({ port: 0 });
    try {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0, protocolVersion: 5 });
      await client.subscribeAsync('t', { qos: 1 });
      const got = new Promise<string>((resolve) => client.once('message', (_topic, payload) => resolve(payload.toString())));
      await client.publishAsync('t', 'from dist', { qos: 1 });
      expect(await got).toBe('from dist');
      await client.endAsync();
    } finally {
      await broker.close();
    }
  });

  test('starts from dist/cli.mjs with node, and stops on SIGTERM', async () => {
    const { child, match } = await run(process.execPath, [`${root}dist/cli.mjs`, '--port', '0'], /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${match![1]}`, { reconnectPeriod: 0 });
    await client.endAsync();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);

  test('starts with `npx -w @courier/broker courier-broker` from the repository root', async () => {
    // --offline: were the workspace's bin not found, npx must fail here, not fetch a stranger's package.
    const { match, output } = await run('npx', ['--offline', '-w', '@courier/broker', 'courier-broker', '--help'], /Usage: courier-broker/);
    expect(match, output).not.toBeNull();
  }, 30_000);
});
