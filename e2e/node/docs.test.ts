// The API reference is generated from doc comments (`npm run docs`); typedoc.json asks for one on
// every public export and treats a missing one as an error. This runs TypeDoc as `npm run docs`
// does, into a temporary folder, so that an undocumented export fails `npm test`, and checks the
// shape of the pages from TypeDoc's JSON: the application pages list the client API, and the
// wire-level codec is documented on its own page (scripts/typedoc-codec-page.mjs).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repository } from '../support/readme';

interface DocNode {
  name: string;
  children?: DocNode[];
}

const folder = mkdtempSync(join(tmpdir(), 'courier-docs-'));
let output = '';
let modules = new Map<string, Set<string>>();

beforeAll(async () => {
  const typedoc = `${repository}node_modules/typedoc/bin/typedoc`;
  const json = join(folder, 'api.json');
  const run = promisify(execFile)(process.execPath, [typedoc, '--out', join(folder, 'html'), '--json', json], { cwd: repository, timeout: 90_000 });
  // On failure the error carries TypeDoc's output, which names each undocumented export.
  const { stdout, stderr } = await run.catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`TypeDoc failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
  });
  output = stdout + stderr;
  const project = JSON.parse(readFileSync(json, 'utf8')) as DocNode;
  modules = new Map((project.children ?? []).map((module) => [module.name, new Set((module.children ?? []).map((child) => child.name))]));
}, 120_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

test('every public export of every package has a doc comment (TypeDoc validation passes)', () => {
  expect(output).not.toMatch(/\[warning\]|\[error\]/);
});

test('the application pages list the client API, not the wire level; the codec has a page of its own', () => {
  for (const page of ['@courier/core', '@courier/node', '@courier/browser']) {
    const names = modules.get(page)!;
    for (const name of ['MqttClient', 'PublishOptions', 'ClientOptions', 'PublishRejectedError', 'QoS', 'PublishProperties', 'ReasonCode']) {
      expect(names.has(name), `${page} lists ${name}`).toBe(true);
    }
    for (const name of ['PacketDecoder', 'encode', 'PublishPacket', 'ConnackProperties', 'AuthPacket']) {
      expect(names.has(name), `${page} leaves ${name} to @courier/core/codec`).toBe(false);
    }
    // About 110 today (the client, its options and events, errors and their codes, ports): a page
    // that grows far past that is taking in the wire level again.
    expect(names.size, `${page}: ${[...names].join(', ')}`).toBeLessThan(125);
  }
  const codec = modules.get('@courier/core/codec')!;
  for (const name of ['PacketDecoder', 'encode', 'PublishPacket', 'ConnackProperties', 'AuthPacket', 'QoS', 'ReasonCode']) expect(codec.has(name), name).toBe(true);
});
