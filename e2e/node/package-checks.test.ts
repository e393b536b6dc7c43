// Each package packed as `npm publish` would pack it (from the built dist/), then linted as a new
// user's tools would see it: publint (the manifest and the files it names) and
// @arethetypeswrong/cli (types that resolve under moduleResolution node10, node16 and bundler,
// for every subpath). Any problem either tool reports fails the test.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repository } from '../support/readme';

const run = promisify(execFile);
const bin = (name: string) => join(repository, 'node_modules/.bin', name);

// `./standalone` is a browser file (every dependency inside, for <script type="module">): it has
// no CommonJS twin on purpose, and Node >= 20.19 (our `engines`) can require() ESM anyway.
const ATTW_IGNORED: Record<string, string[]> = { 'courier-browser': ['cjs-resolves-to-esm'] };

let out: string;
let tarballs: string[];
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'courier-packs-'));
  await run('npm', ['pack', '--workspaces', '--silent', '--pack-destination', out], { cwd: repository, timeout: 60_000 });
  tarballs = readdirSync(out).filter((name) => name.endsWith('.tgz'));
}, 90_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const packages = readdirSync(join(repository, 'packages'));

test('npm pack writes one tarball per package', () => {
  expect(tarballs).toHaveLength(packages.length);
});

describe.each(packages)('packages/%s', (folder) => {
  const tarball = () => {
    const name = tarballs.find((file) => file.startsWith(`courier-${tarballName(folder)}-`));
    if (name === undefined) throw new Error(`no tarball for packages/${folder} in ${tarballs.join(', ')}`);
    return join(out, name);
  };

  test('holds a README and the LICENSE, and no source maps', async () => {
    const { stdout } = await run('tar', ['tzf', tarball()]);
    const files = stdout.split('\n');
    expect(files).toContain('package/README.md');
    expect(files).toContain('package/LICENSE');
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  test('publint --strict finds no problem', async () => {
    const { stdout } = await run(bin('publint'), ['run', '--strict', tarball()], { timeout: 30_000 });
    expect(stdout).toContain('All good!');
  });

  test('attw finds no problem under node10, node16 and bundler', async () => {
    const ignored = ATTW_IGNORED[`courier-${tarballName(folder)}`] ?? [];
    const args = [tarball(), '--format', 'ascii', ...(ignored.length > 0 ? ['--ignore-rules', ...ignored] : [])];
    // attw exits non-zero on any problem; its report then says which.
    const result = await run(bin('attw'), args, { timeout: 30_000 }).catch((error: { stdout: string }) => error);
    expect(result.stdout).toContain('No problems found');
  });
});

/** The tarball's name part for a package folder: @courier/node lives in packages/node-transport. */
function tarballName(folder: string): string {
  return ({ 'node-transport': 'node', 'browser-transport': 'browser' } as Record<string, string>)[folder] ?? folder;
}
