// The reference broker started from its CLI with `--auth scram:FILE`, as a process (from source,
// as the other CLI tests run it), and the client's SCRAM-SHA-256 helper connecting to it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { formatScramUser, scramUser } from '@courier/broker';
import { connect, type MqttClient, scramSha256 } from '@courier/node';
import { repository } from '../support/readme';
import { type ShellProcess, startShell } from '../support/shell';

const running: ShellProcess[] = [];
const clients: MqttClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end({ force: true })));
  for (const broker of running.splice(0)) await broker.stop('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string): ShellProcess {
  const broker = startShell(`"${process.execPath}" --conditions=@courier/source --import tsx packages/broker/src/cli.ts ${args}`, repository);
  running.push(broker);
  return broker;
}

function usersFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'courier-cli-auth-'));
  dirs.push(dir);
  const file = join(dir, 'users.txt');
  writeFileSync(file, text);
  return file;
}

test('--auth scram:FILE lets in the users of FILE (plain and hashed lines) through SCRAM-SHA-256, and no one else', async () => {
  const file = usersFile(`# who may connect\nalice:correct horse\n${formatScramUser('bob', scramUser('hunter2'))}\n`);
  const broker = cli(`--port 0 --auth scram:${file}`);
  await broker.waitFor('listening on mqtt://127.0.0.1:');
  const port = /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(broker.output())![1];
  const url = `mqtt://127.0.0.1:${port}`;
  expect(broker.output()).toContain('SCRAM-SHA-256 authentication for 2 user(s)');

  for (const [username, password] of [['alice', 'correct horse'], ['bob', 'hunter2']] as const) {
    const client = await connect(url, { clientId: `cli-${username}`, ...scramSha256({ username, password }) });
    clients.push(client);
    await client.publish('cli/auth', 'in', { qos: 1 });
    await client.reauthenticate();
  }
  await expect(connect(url, { ...scramSha256({ username: 'alice', password: 'wrong' }) })).rejects.toMatchObject({ code: 'ERR_CONNECT_REFUSED', reasonCode: 0x86 });
  // Without SCRAM: not authorized, at 5.0 and at 3.1.1.
  await expect(connect(url, { username: 'alice', password: 'correct horse' })).rejects.toMatchObject({ reasonCode: 0x87 });
  await expect(connect(url, { protocolVersion: 4 })).rejects.toMatchObject({ reasonCode: 5 });
  expect(broker.output()).not.toMatch(/correct horse|hunter2/);
}, 40_000);

test('a users file it cannot read, or a bad --auth, stops it with a message', async () => {
  const missing = cli('--port 0 --auth scram:/nonexistent/users.txt');
  await missing.waitFor('--auth: /nonexistent/users.txt');
  const bad = cli(`--port 0 --auth plain:${usersFile('alice:x\n')}`);
  await bad.waitFor('--auth must be scram:<users file>');
  const malformed = cli(`--port 0 --auth scram:${usersFile('no colon here\n')}`);
  await malformed.waitFor('line 1: expected name:password');
}, 40_000);
