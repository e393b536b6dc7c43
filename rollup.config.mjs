// Builds every package in packages/: for each entry of its `exports` map that names a source
// file under the "@courier/source" condition, an ESM (.mjs) and a CJS (.cjs) bundle and one
// bundled declaration file (.d.ts, copied as .d.cts for require), and for each `bin` an ESM
// script. The package.json is the one place that says what a package exposes.
import { chmodSync, copyFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';

const SOURCE_CONDITION = '@courier/source';

function findDefault(target, condition) {
  const branch = target?.[condition];
  return typeof branch === 'string' ? branch : branch?.default;
}

function entriesOf(dir, manifest) {
  const entries = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target !== 'object' || typeof target[SOURCE_CONDITION] !== 'string') continue;
    if (subpath === './standalone') continue;
    entries.push({
      source: join(dir, target[SOURCE_CONDITION]),
      esm: join(dir, findDefault(target, 'import')),
      cjs: join(dir, findDefault(target, 'require')),
      types: join(dir, target.import.types),
    });
  }
  return entries;
}

function external(manifest) {
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  return (id) => builtins.has(id) || deps.some((dep) => id === dep || id.startsWith(`${dep}/`));
}

// Copies each .d.ts to .d.cts once the declarations are written.
function copyToCts(entries) {
  return {
    name: 'copy-to-d-cts',
    writeBundle() {
      for (const entry of entries) copyFileSync(entry.types, entry.types.replace(/\.d\.ts$/, '.d.cts'));
    },
  };
}

const configs = [];
for (const name of readdirSync('packages')) {
  const dir = join('packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entries = entriesOf(dir, manifest);
  // Each build starts from an empty dist/: rollup only adds files, so a file an older build wrote
  // (a source map, a module since renamed) would otherwise stay and be packed with the release.
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  // No source maps: the output is unminified and the ESM keeps each module's name and code, so a
  // stack trace already reads like the source; maps with their sources inside made @courier/core's
  // tarball 340 KB instead of 127 KB.
  // ESM keeps one file per source module, so that an app's bundler sees module boundaries: it
  // inlines constants across modules (esbuild does so within a file only for its leading
  // declarations) and drops unused modules whole.
  if (entries.length > 0) {
    configs.push({
      input: Object.fromEntries(entries.map((entry) => [basename(entry.esm, '.mjs'), entry.source])),
      external: external(manifest),
      plugins: [esbuild({ target: 'es2022', tsconfig: join(dir, 'tsconfig.json') })],
      output: {
        dir: join(dir, 'dist'),
        format: 'es',
        preserveModules: true,
        preserveModulesRoot: join(dir, 'src'),
        entryFileNames: '[name].mjs',
      },
    });
  }
  for (const entry of entries) {
    if (dirname(entry.esm) !== join(dir, 'dist')) throw new Error(`rollup: ${entry.esm} is not directly in dist/`);
    configs.push({
      input: entry.source,
      external: external(manifest),
      plugins: [esbuild({ target: 'es2022', tsconfig: join(dir, 'tsconfig.json') })],
      // One file for require(): a lazily imported module (enhanced authentication, tab sharing) is inlined, as
      // bundle size matters to browsers, which take the ESM.
      output: { file: entry.cjs, format: 'cjs', exports: 'named', inlineDynamicImports: true },
    });
    configs.push({
      input: entry.source,
      external: external(manifest),
      plugins: [
        dts({ tsconfig: join(dir, 'tsconfig.json'), compilerOptions: { composite: false, incremental: false } }),
        copyToCts([entry]),
      ],
      output: { file: entry.types, format: 'es' },
    });
  }
  // A standalone ESM file with every dependency inside, for a plain <script type="module">:
  // browsers cannot resolve bare imports such as '@courier/core' without an import map.
  const standalone = manifest.exports?.['./standalone'];
  if (standalone !== undefined) {
    configs.push({
      input: join(dir, standalone[SOURCE_CONDITION]),
      plugins: [
        nodeResolve({ browser: true, exportConditions: [SOURCE_CONDITION, 'browser', 'import', 'default'] }),
        esbuild({ target: 'es2022', tsconfig: join(dir, 'tsconfig.json'), minify: true }),
      ],
      output: { file: join(dir, standalone.default), format: 'es', inlineDynamicImports: true },
    });
  }
  // Command-line entries: bin/<name> -> dist/<file>.mjs is built from src/<file>.ts.
  for (const target of Object.values(manifest.bin ?? {})) {
    configs.push({
      input: join(dir, 'src', `${basename(target, '.mjs')}.ts`),
      external: external(manifest),
      plugins: [
        esbuild({ target: 'es2022', tsconfig: join(dir, 'tsconfig.json') }),
        // Executable, as a bin must be: npm links bins at install, before a clean clone has
        // built them, so nothing else sets the mode (`npx courier-broker` got "Permission denied").
        { name: 'executable', writeBundle: () => chmodSync(join(dir, target), 0o755) },
      ],
      output: { file: join(dir, target), format: 'es', banner: '#!/usr/bin/env node' },
    });
  }
  if (entries.length === 0) console.warn(`rollup: ${basename(dir)} exports no source entry`);
}

export default configs;
