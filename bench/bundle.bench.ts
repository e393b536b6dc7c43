// `npm run bench:bundle`: the minified and gzipped size of one small web app (connect over
// WebSocket, subscribe, publish at QoS 2) written with Courier, MQTT.js, Paho and u8-mqtt, each
// bundled by esbuild for the browser as a web app would be. Courier is taken from its built
// dist/, as users install it.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const apps = [
  ['Courier (@courier/browser)', 'bench/bundle/courier-app.ts'],
  ['MQTT.js 5.16', 'bench/bundle/mqttjs-app.ts'],
  ['Paho 1.1', 'bench/bundle/paho-app.ts'],
  ['u8-mqtt 0.6 (QoS 0 and 1 only)', 'bench/bundle/u8-mqtt-app.ts'],
] as const;

async function size(entry: string): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const rows: string[] = [];
let courier = 0;
for (const [name, entry] of apps) {
  const { minified, gzipped } = await size(entry);
  if (courier === 0) courier = gzipped;
  rows.push(`| ${name} | ${kb(minified)} | ${kb(gzipped)} | ${(gzipped / courier).toFixed(2)}× |`);
}
console.log('# bundle size of the same small web app (esbuild, minified, gzip -9)\n');
console.log('| library | minified | gzipped | gzipped vs Courier |');
console.log('|---|---:|---:|---:|');
for (const row of rows) console.log(row);
