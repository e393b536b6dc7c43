// The API reference is generated from doc comments (`npm run docs`); typedoc.json asks for one on
// every public export and treats a missing one as an error. This runs that validation without
// writing HTML, so that an undocumented export fails `npm test`, not only `npm run docs`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { repository } from '../support/readme';

test('every public export of every package has a doc comment (TypeDoc validation passes)', async () => {
  const typedoc = `${repository}node_modules/typedoc/bin/typedoc`;
  const run = promisify(execFile)(process.execPath, [typedoc, '--emit', 'none'], { cwd: repository, timeout: 90_000 });
  // On failure the error carries TypeDoc's output, which names each undocumented export.
  const { stdout, stderr } = await run.catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`TypeDoc validation failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
  });
  expect(stdout + stderr).not.toMatch(/\[warning\]|\[error\]/);
}, 120_000);
