// `npm run bench:bundle`: the minified and gzipped size of one small web app (connect over
// WebSocket, subscribe, publish at QoS 2) written with Courier, MQTT.js, Paho and u8-mqtt, each
// bundled by esbuild for the browser as a web app would be. Courier is taken from its built
// dist/, as users install it.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { APP_BUILD, startChunks } from '../packages/browser-transport/test/app-build';

const apps = [
  ['Courier (@courier/browser)', 'bench/bundle/courier-app.ts'],
  ['MQTT.js 5.16', 'bench/bundle/mqttjs-app.ts'],
  ['Paho 1.1', 'bench/bundle/paho-app.ts'],
  ['u8-mqtt 0.6 (QoS 0 and 1 only)', 'bench/bundle/u8-mqtt-app.ts'],
] as const;

/** Bundles `entry` with code splitting, as a web app's bundler would, and sizes the result. */
async function size(entry: string): Promise<{ initial: number; all: number; minifiedAll: number }> {
  const result = await build({
    ...APP_BUILD,
    entryPoints: [entry],
    outdir: '/bundle-size',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
  const gz = (code: Uint8Array) => gzipSync(code, { level: 9 }).length;
  const files = new Map(result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => [f.path.replace(/^.*\//, ''), f.contents]));
  const base = (path: string) => path.replace(/^.*\//, '');
  // Loaded at start: the entry chunk and every chunk it imports statically, transitively.
  const start = new Set([...startChunks(result.metafile.outputs)].map(base));
  const sizes = [...files].map(([name, code]) => ({ name, minified: code.length, gzipped: gz(code) }));
  return {
    initial: sizes.filter((f) => start.has(f.name)).reduce((sum, f) => sum + f.gzipped, 0),
    all: sizes.reduce((sum, f) => sum + f.gzipped, 0),
    minifiedAll: sizes.reduce((sum, f) => sum + f.minified, 0),
  };
}

// Two decimals: budgets of a few hundred bytes are judged on these figures.
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
const rows: string[] = [];
let courier = 0;
for (const [name, entry] of apps) {
  const { initial, all, minifiedAll } = await size(entry);
  if (courier === 0) courier = initial;
  rows.push(`| ${name} | ${kb(minifiedAll)} | ${kb(initial)} | ${kb(all)} | ${(initial / courier).toFixed(2)}× |`);
}
console.log('# bundle size of the same small web app (esbuild with code splitting, minified, gzip -9)\n');
console.log('| library | minified, all | gzipped, loaded at start | gzipped, all chunks | at start vs Courier |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
