// The one broker command the docs give, run exactly as printed in README.md (only the ports
// changed) from the repository root, and a check that every doc that mentions starting a broker
// gives that same command and never an `npx <name>` that npx would look up on the registry.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { connect } from '@courier/node';
import { freePort } from '../support/free-port';
import { readmeBlock, repository } from '../support/readme';

const COMMAND = 'npm run broker -- --port 1883 --ws-port 8083';

/** Every file a newcomer reads for how to start a broker. */
function docs(): string[] {
  const inFolders = (folder: string, name: string) =>
    readdirSync(`${repository}${folder}`)
      .map((entry) => `${folder}/${entry}/${name}`)
      .filter((path) => existsSync(`${repository}${path}`));
  const docsFolder = existsSync(`${repository}docs`) ? readdirSync(`${repository}docs`).map((name) => `docs/${name}`) : [];
  return ['README.md', ...inFolders('examples', 'README.md'), ...inFolders('packages', 'README.md'), ...docsFolder, 'examples/web-qos2/main.js', 'demo/page/index.html'];
}

/** The command names that `npx` finds in this repository's own node_modules/.bin after `npm install`. */
function localBins(): Set<string> {
  const root = JSON.parse(readFileSync(`${repository}package.json`, 'utf8')) as { devDependencies: Record<string, string> };
  const bins = new Set<string>();
  for (const name of Object.keys(root.devDependencies)) {
    const manifest = JSON.parse(readFileSync(`${repository}node_modules/${name}/package.json`, 'utf8')) as { bin?: string | Record<string, string> };
    if (typeof manifest.bin === 'string') bins.add(name.replace(/^@[^/]+\//, ''));
    else for (const bin of Object.keys(manifest.bin ?? {})) bins.add(bin);
  }
  return bins;
}

const children: ChildProcess[] = [];
afterEach(() => {
  // npm runs the broker as its child: the whole process group goes, as Ctrl-C in a terminal does.
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is gone already: the test stopped it.
    }
  }
});

test('the docs start a broker with one command, and run npx only for commands installed here', () => {
  const bins = localBins();
  expect(bins.has('courier-broker')).toBe(false);
  for (const path of docs()) {
    const text = readFileSync(`${repository}${path}`, 'utf8');
    // A command starts a line or a code span, or follows &&; prose that mentions npx is not one.
    for (const [, name] of text.matchAll(/(?:^|`|&&\s*)npx\s+(?:--?\S+\s+)*([^\s`'"]+)/gm)) {
      expect(bins.has(name!), `${path}: npx ${name} is not a command installed by npm install`).toBe(true);
    }
    expect(text, `${path} names courier-broker as a command to run`).not.toMatch(/(^|[\s`(])courier-broker --/m);
    for (const [command] of text.matchAll(/npm run broker[^\n`#)]*/g)) {
      expect([COMMAND, 'npm run broker -- --help'], path).toContain(command.trim());
    }
  }
  expect(readmeBlock('### A web page', 'sh').trim()).toBe(COMMAND);
});

test('the README broker command, run as printed, serves MQTT over TCP and WebSocket and stops on Ctrl-C', async () => {
  const [port, wsPort] = [await freePort(), await freePort()];
  const command = readmeBlock('### A web page', 'sh').trim().replace('1883', String(port)).replace('8083', String(wsPort));
  // detached: its own process group, so that the test can signal npm and the broker together.
  const child = spawn('sh', ['-c', command], { cwd: repository, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const listening = new Promise<void>((resolve, reject) => {
    const take = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(`listening on mqtt://127.0.0.1:${port} and ws://127.0.0.1:${wsPort}`)) resolve();
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('close', () => reject(new Error(`the broker command exited: ${output}`)));
  });
  // 'close': every process of the group that holds the pipes has exited and its output is read.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await listening;

  const tcp = await connect(`mqtt://127.0.0.1:${port}`, { clientId: 'readme-tcp' });
  const ws = await connect(`ws://127.0.0.1:${wsPort}/mqtt`, { clientId: 'readme-ws' });
  const got = ws.messages('readme/broker');
  await ws.subscribe('readme/broker', { qos: 1 });
  await tcp.publish('readme/broker', 'over both', { qos: 1 });
  const { value } = await got.next();
  expect(new TextDecoder().decode(value!.payload)).toBe('over both');
  await Promise.all([tcp.end(), ws.end()]);

  // Ctrl-C signals the terminal's foreground group: sh and npm die of it, the broker closes cleanly.
  process.kill(-child.pid!, 'SIGINT');
  await closed;
  expect(output).toMatch(/SIGINT: closing\n.*closed\n/);
}, 40_000);
