// What each source module costs the bench app at start: `node --import tsx
// bench/bundle/start-modules.ts [--all]`. The app is bundled from the sources as the
// bundle-size test bundles it; each module is marked with a legal comment (minifiers keep those
// in place), so the start chunks can be cut back into modules. A module's figure is what gzip
// of its chunk loses when the module's minified text is taken out: what it costs beyond what
// the rest of the chunk already says. These do not add up to the total (text that two modules
// share is counted by neither); the last line says how much that is.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { APP_BUILD, MARK, marker, startChunks } from '../../packages/browser-transport/test/app-build';

const result = await build({
  ...APP_BUILD,
  entryPoints: ['bench/bundle/courier-app.ts'],
  outdir: '/start-modules',
  legalComments: 'inline',
  conditions: ['@courier/source'],
  plugins: [marker],
});
const gz = (text: string) => gzipSync(text, { level: 9 }).length;
const start = startChunks(result.metafile.outputs);
const chunks = result.outputFiles.filter((file) => [...start].some((path) => file.path.endsWith(path.replace(/^.*\//, '/'))));

/** One row per marked stretch of a start chunk; text before the first mark is the app's own. */
const rows: { module: string; minified: number; gzip: number }[] = [];
let total = 0;
for (const chunk of chunks) {
  const parts = chunk.text.split(MARK);
  const whole = gz(parts.filter((_, i) => i % 2 === 0).join(''));
  total += whole;
  const without = (skip: number) => gz(parts.filter((_, i) => i % 2 === 0 && i !== skip).join(''));
  rows.push({ module: `(unmarked: the app, node_modules, chunk glue) in ${chunk.path.replace(/^.*\//, '')}`, minified: parts[0]!.length, gzip: whole - without(0) });
  for (let i = 1; i < parts.length; i += 2) rows.push({ module: parts[i]!, minified: parts[i + 1]!.length, gzip: whole - without(i + 1) });
}
const merged = new Map<string, { minified: number; gzip: number }>();
for (const row of rows) {
  const seen = merged.get(row.module) ?? { minified: 0, gzip: 0 };
  merged.set(row.module, { minified: seen.minified + row.minified, gzip: seen.gzip + row.gzip });
}
const sorted = [...merged].sort((a, b) => b[1].gzip - a[1].gzip);
const shown = process.argv.includes('--all') ? sorted : sorted.filter(([, row]) => row.gzip >= 100);
// The same app without the marks, as the bundle-size test measures it.
const plain = await build({ ...APP_BUILD, entryPoints: ['bench/bundle/courier-app.ts'], outdir: '/start-modules', conditions: ['@courier/source'] });
const plainStart = [...startChunks(plain.metafile.outputs)].map((path) => path.replace(/^.*\//, '/'));
const plainTotal = plain.outputFiles.filter((file) => plainStart.some((end) => file.path.endsWith(end))).reduce((sum, file) => sum + gz(file.text), 0);
console.log(`start: ${chunks.length} chunk(s), ${plainTotal} B gzip -9 (${total} B with the marks)\n`);
console.log('| module | minified B | gzip B it adds |\n|---|---:|---:|');
for (const [module, row] of shown) console.log(`| ${module} | ${row.minified} | ${row.gzip} |`);
const sum = sorted.reduce((acc, [, row]) => acc + row.gzip, 0);
if (shown.length < sorted.length) console.log(`| ${sorted.length - shown.length} smaller modules (--all lists them) | | ${sorted.slice(shown.length).reduce((acc, [, row]) => acc + row.gzip, 0)} |`);
console.log(`| shared between modules (total minus the sum above) | | ${total - sum} |`);
