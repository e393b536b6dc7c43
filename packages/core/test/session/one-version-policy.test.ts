// Everything that differs between 3.1.1 and 5.0 lives in session/version-policy.ts: nothing else
// under the scanned folders may compare a protocol version.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');
const SCANNED = ['session', 'client'];
/** Where a comparison belongs: the policy itself, and the check that an option is 4 or 5. */
const ALLOWED = new Set(['session/version-policy.ts', 'client/client-options.ts']);

/** `version === 5`, `4 !== protocolVersion`, `switch (policy.version)`... */
const COMPARISON = [
  /[vV]ersion\s*[!=]==?\s*[45]\b/,
  /\b[45]\s*[!=]==?\s*[\w.]*[vV]ersion\b/,
  /switch\s*\(\s*[\w.]*[vV]ersion\s*\)/,
];

function versionComparisons(source: string): number[] {
  return source.split('\n').flatMap((line, i) => (COMPARISON.some((pattern) => pattern.test(line)) ? [i + 1] : []));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

test('the pattern finds the comparisons it is meant to find, and not an assignment', () => {
  expect(versionComparisons('if (this.policy.version === 5) {\nconst v = { protocolVersion: 5 };\nif (4 !== protocolVersion)\nswitch (version) {')).toEqual([1, 3, 4]);
});

test('no protocol-version comparison outside session/version-policy.ts', () => {
  const found = SCANNED.flatMap((folder) => filesUnder(join(SRC, folder)))
    .map((file) => relative(SRC, file).split('\\').join('/'))
    .filter((file) => !ALLOWED.has(file))
    .flatMap((file) => versionComparisons(readFileSync(join(SRC, file), 'utf8')).map((line) => `${file}:${line}`));
  expect(found).toEqual([]);
});
