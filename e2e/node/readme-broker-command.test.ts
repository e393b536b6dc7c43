// The one broker command the docs give, run exactly as printed in README.md (only the ports
// changed) from the repository root, and a check that every doc that mentions starting a broker
// gives that same command and never an `npx <name>` that npx would look up on the registry.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { connect } from '@courier/node';
import { freePort } from '../support/free-port';
import { readmeBlock, repository } from '../support/readme';
import { type ShellProcess, startShell } from '../support/shell';

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

const running: ShellProcess[] = [];
afterEach(async () => {
  for (const broker of running.splice(0)) await broker.stop('SIGKILL');
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
  expect(readmeBlock('### A broker to try them with', 'sh').trim()).toBe(COMMAND);
});

test('the README broker command, run as printed, serves MQTT over TCP and WebSocket and stops on Ctrl-C', async () => {
  const [port, wsPort] = [await freePort(), await freePort()];
  const command = readmeBlock('### A broker to try them with', 'sh').trim().replace('1883', String(port)).replace('8083', String(wsPort));
  const broker = startShell(command, repository);
  running.push(broker);
  await broker.waitFor(`listening on mqtt://127.0.0.1:${port} and ws://127.0.0.1:${wsPort}`);

  const tcp = await connect(`mqtt://127.0.0.1:${port}`, { clientId: 'readme-tcp' });
  const ws = await connect(`ws://127.0.0.1:${wsPort}/mqtt`, { clientId: 'readme-ws' });
  const got = ws.messages('readme/broker');
  await ws.subscribe('readme/broker', { qos: 1 });
  await tcp.publish('readme/broker', 'over both', { qos: 1 });
  const { value } = await got.next();
  expect(new TextDecoder().decode(value!.payload)).toBe('over both');
  await Promise.all([tcp.end(), ws.end()]);

  // Ctrl-C signals the terminal's foreground group: sh and npm die of it, the broker closes cleanly.
  await broker.stop('SIGINT');
  expect(broker.output()).toMatch(/SIGINT: closing\n.*closed\n/);
}, 40_000);
