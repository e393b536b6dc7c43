// The built package as users get it: ESM and CJS entries, declarations, browser-safe bundle.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as esm from '@courier/core';
import { bundleForBrowser } from '../browser-safety';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

describe('the built @courier/core', () => {
  test('resolves to dist/ here, not to the sources', () => {
    expect(require.resolve('@courier/core')).toBe(`${root}dist/index.cjs`);
  });

  test('its CJS entry exports what its ESM entry does, and encodes the same bytes', () => {
    const cjs = require('@courier/core') as typeof esm;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    const packet = { type: 'puback', packetId: 7, reasonCode: 0x10 } as const;
    expect(Array.from(cjs.encode(packet, 5))).toEqual(Array.from(esm.encode(packet, 5)));
  });

  test('@courier/core/codec, its own entry, exports the codec under the names the main entry keeps, in ESM and CJS', async () => {
    const codec = await import('@courier/core/codec');
    const cjs = require('@courier/core/codec') as typeof codec;
    expect(require.resolve('@courier/core/codec')).toBe(`${root}dist/codec.cjs`);
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(codec).sort());
    expect(Object.keys(codec).sort()).toEqual(['ConnectReturnCode', 'DecodeError', 'EncodeError', 'PacketDecoder', 'ReasonCode', 'describeReasonCode', 'encode', 'reasonCodeName']);
    // Nothing moved: the main entry still exports every one of them, the same objects in ESM.
    for (const name of Object.keys(codec)) expect(esm[name as keyof typeof esm], name).toBe(codec[name as keyof typeof codec]);
    expect(readFileSync(`${root}dist/codec.d.ts`, 'utf8')).toMatch(/declare class PacketDecoder/);
  });

  test('ships one bundled declaration file for import and one for require', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      const text = readFileSync(`${root}${file}`, 'utf8');
      expect(text).toMatch(/declare class PacketDecoder/);
      expect(text).not.toMatch(/from '\.\//); // bundled: no imports of unbuilt files
    }
  });

  test('declares no side effects and names only files that exist in its exports map', () => {
    const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    expect(manifest.sideEffects).toBe(false);
    const targets = JSON.stringify(manifest.exports).match(/\.\/dist\/[^"]+/g) ?? [];
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(existsSync(`${root}${target}`), target).toBe(true);
  });

  test('bundles for the browser from dist/ with no Node built-in, Buffer or require', async () => {
    const bundle = await bundleForBrowser(`${root}dist/index.mjs`);
    expect(bundle.problems).toEqual([]);
  });
});
