import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileOutbox } from '@courier/outbox-store/fs';
import { expect, test } from 'vitest';
import { fileStem } from '../../src/fs/file-names';
import { record } from './outbox-fixtures';
import { tempDir } from './temp-dir';

const AWKWARD_IDS = [
  '../../x',
  '..',
  '.',
  'a/b',
  'a\\b',
  '/etc/passwd',
  'C:\\x',
  'CON',
  'con',
  'nul.txt',
  'COM1',
  'trailing.',
  'trailing ',
  '',
  'A',
  'a',
  '%41',
  'a%2Fb',
  '__proto__',
  'x'.repeat(10_000),
  `${'x'.repeat(10_000)}y`,
  '温度/センサー',
  'café',
  'cafe\u0301',
  '🚀'.repeat(200),
  'nul\u0000byte',
  '\uD800',
  '\uDFFF',
];

test('a stem has only portable characters, no dot, and a bounded length', () => {
  for (const id of AWKWARD_IDS) {
    const stem = fileStem(id);
    expect(stem, JSON.stringify(id)).toMatch(/^[a-z0-9_%A-F-]{2,200}$/);
    expect(stem).toMatch(/^[ohu]-/);
  }
});

test('distinct client ids get distinct stems, even where a file system ignores case or normalises Unicode', () => {
  const stems = AWKWARD_IDS.map(fileStem);
  expect(new Set(stems).size).toBe(AWKWARD_IDS.length);
  expect(new Set(stems.map((stem) => stem.toLowerCase().normalize('NFC'))).size).toBe(AWKWARD_IDS.length);
});

test('every client id, however awkward, gets its own outbox inside the directory and nowhere else', async () => {
  const root = await tempDir();
  const dir = join(root, 'outboxes');
  const store = fileOutbox({ dir });
  for (const [index, clientId] of AWKWARD_IDS.entries()) {
    const outbox = await store.open(clientId);
    await outbox.write([{ op: 'put', record: record(index + 1, { topic: `for ${index}` }) }]);
    await outbox.close();
  }
  expect(await readdir(root)).toEqual(['outboxes']);
  const names = await readdir(dir);
  expect(names).toHaveLength(AWKWARD_IDS.length);
  for (const name of names) {
    expect(name).toMatch(/\.journal$/);
    expect((await lstat(join(dir, name))).isFile()).toBe(true);
  }
  for (const [index, clientId] of AWKWARD_IDS.entries()) {
    const outbox = await fileOutbox({ dir }).open(clientId);
    expect(outbox.restored.outgoing.map((r) => r.topic), JSON.stringify(clientId).slice(0, 40)).toEqual([`for ${index}`]);
    await outbox.close();
  }
});
