// A requirement id cited in src/session is a promise: some test, named with that id, proves the
// session keeps it. And session/RULES.md, the index of those rules, lists every one of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const CORE = join(import.meta.dirname, '../..');
const REQUIREMENT_ID = /MQTT-\d+\.\d+\.\d+-\d+/g;

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name), suffix) : entry.name.endsWith(suffix) ? [join(dir, entry.name)] : [],
  );
}

function idsIn(text: string): Set<string> {
  return new Set(text.match(REQUIREMENT_ID) ?? []);
}

/**
 * The titles a test file gives: the first argument of test(), it() and describe() (with .each,
 * .skip...), and the `name` of a table row, which test.each('$name') makes a title.
 */
function testTitles(source: string): string[] {
  const title = /\b(?:test|it|describe)(?:\.each\([^)]*\)|\.\w+)?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  const rowName = /\bname:\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  return [...source.matchAll(title), ...source.matchAll(rowName)].map((match) => match[2] as string);
}

const cited = [...idsIn(filesUnder(join(CORE, 'src/session'), '.ts').map((file) => readFileSync(file, 'utf8')).join('\n'))].sort();

test('the titles it reads: test, describe, and the name of a table row', () => {
  const source = "test('[MQTT-1.1.1-1] a', () => {});\ndescribe.each([])(\"[MQTT-2.2.2-2] b\", () => {});\n// [MQTT-3.3.3-3] in a comment\nconst rows = [{ name: '[MQTT-4.4.4-4] c' }];";
  expect(testTitles(source).flatMap((t) => [...idsIn(t)])).toEqual(['MQTT-1.1.1-1', 'MQTT-2.2.2-2', 'MQTT-4.4.4-4']);
});

test('every requirement id cited in src/session is in the title of a test', () => {
  const titled = idsIn(
    filesUnder(join(CORE, 'test'), '.test.ts')
      .flatMap((file) => testTitles(readFileSync(file, 'utf8')))
      .join('\n'),
  );
  expect(cited.length).toBeGreaterThan(0);
  expect(cited.filter((id) => !titled.has(id))).toEqual([]);
});

test('session/RULES.md lists every requirement id cited in src/session', () => {
  const rules = idsIn(readFileSync(join(CORE, 'src/session/RULES.md'), 'utf8'));
  expect(cited.filter((id) => !rules.has(id))).toEqual([]);
});
