// The README's "Credentials and authentication" examples, run as printed (only the port changed),
// each in its own Node process: the broker block, then the beforeConnect client and the SCRAM
// client against it.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { freePort } from '../support/free-port';
import { readmeBlock, repository } from '../support/readme';
import { type ShellProcess, startShell } from '../support/shell';

const running: ShellProcess[] = [];
afterEach(async () => {
  for (const broker of running.splice(0)) await broker.stop('SIGKILL');
});

/** Writes `code` to .cache/<name>.ts; returns its path. */
function script(name: string, code: string): string {
  mkdirSync(`${repository}.cache`, { recursive: true });
  const file = `${repository}.cache/${name}.ts`;
  writeFileSync(file, code);
  return file;
}

async function run(file: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', file], { cwd: repository, timeout: 20_000 });
  return stdout;
}

test('the README credentials examples: a fresh token per attempt, and SCRAM-SHA-256 with a re-authentication', async () => {
  const port = await freePort();
  const brokerCode = readmeBlock('## Credentials and authentication', 'ts');
  expect(brokerCode).toContain('port: 1883,');
  const broker = startShell(`"${process.execPath}" --conditions=@courier/source --import tsx ${script('readme-credentials-broker', brokerCode.replace('port: 1883,', `port: ${port},`))}`, repository);
  running.push(broker);
  await broker.waitFor(`broker on port ${port}`);

  const url = `mqtt://127.0.0.1:${port}`;
  const tokens = readmeBlock('### Fresh credentials for every attempt', 'ts');
  const scram = readmeBlock('### Enhanced authentication (SCRAM-SHA-256)', 'ts');
  for (const code of [tokens, scram]) expect(code).toContain("'mqtt://127.0.0.1:1883'");
  expect(await run(script('readme-credentials-tokens', tokens.replace('mqtt://127.0.0.1:1883', url)))).toBe('connected with token-1\n');
  expect(await run(script('readme-credentials-scram', scram.replace('mqtt://127.0.0.1:1883', url)))).toBe('authenticated with SCRAM-SHA-256, twice\n');
  // The broker of the example takes each token once: the same script again gets token-1 again and is refused.
  await expect(run(script('readme-credentials-tokens', tokens.replace('mqtt://127.0.0.1:1883', url).replace('beforeConnect:', 'reconnect: false, beforeConnect:')))).rejects.toThrow(/ConnectRefusedError|refused/);
}, 60_000);
