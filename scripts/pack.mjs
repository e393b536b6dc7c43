#!/usr/bin/env node
// `npm run pack`: builds every package and writes one installable tarball per package to packs/
// (or to the folder given with --out), then prints the command that installs them into an app.
// The packages are not on the registry: each @courier/* dependency must name the exact version
// of its workspace package, which the tarball beside it then provides when both are installed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'packs' } } });
const out = resolve(values.out);

const manifests = readdirSync('packages').map((folder) => JSON.parse(readFileSync(join('packages', folder, 'package.json'), 'utf8')));
const versions = new Map(manifests.map((manifest) => [manifest.name, manifest.version]));
for (const manifest of manifests) {
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    if (!versions.has(name) || range === versions.get(name)) continue;
    console.error(`${manifest.name} depends on ${name}@${range}, but the workspace has ${name}@${versions.get(name)}`);
    process.exit(1);
  }
}

function run(command, args, stdout = 'inherit') {
  const result = spawnSync(command, args, { stdio: ['ignore', stdout, 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

console.log('building the packages (about 20 s)...');
run('npx', ['rollup', '-c', 'rollup.config.mjs', '--silent']);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// npm pack lists each tarball's files; the summary below says what matters.
run('npm', ['pack', '--workspaces', '--silent', '--pack-destination', out], 'ignore');

const tarballs = readdirSync(out).filter((name) => name.endsWith('.tgz')).sort();
console.log(`\n${tarballs.length} tarballs in ${out}:`);
for (const name of tarballs) console.log(`  ${name}`);
console.log(`\nInstall them together, in your app's folder (npm resolves @courier/* between them):\n  npm install ${out}/*.tgz`);
