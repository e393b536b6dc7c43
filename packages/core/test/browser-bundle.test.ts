import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { bundleForBrowser } from './browser-safety';

describe('@courier/core in a browser', () => {
  test('bundles for the browser platform with no Node built-in, Buffer or require', async () => {
    const bundle = await bundleForBrowser('@courier/core', ['@courier/source']);
    expect(bundle.problems).toEqual([]);
    // Our sources, and mitt (the event emitter, ~200 bytes): nothing else comes along.
    const outside = bundle.inputs.filter((input) => !input.startsWith('packages/core/src/'));
    expect(outside.map((input) => input.replace(/^.*node_modules\//, '').split('/')[0])).toEqual(['mitt']);
  });

  test('the check itself catches a Node built-in and a Buffer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'courier-browser-check-'));
    writeFileSync(join(dir, 'fs.ts'), "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n");
    writeFileSync(join(dir, 'buffer.ts'), "export const b = Buffer.from('x');\n");
    expect((await bundleForBrowser(join(dir, 'fs.ts'))).problems).not.toEqual([]);
    expect((await bundleForBrowser(join(dir, 'buffer.ts'))).problems).toEqual(['uses \\bBuffer\\b']);
  });
});
