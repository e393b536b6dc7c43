// Where the bench app's start bytes go, per area of the sources: `node --import tsx
// bench/bundle/areas.ts`. Each source module is marked with a legal comment, which minifiers
// keep in place, so the minified start chunks can be cut back into modules.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { MARK, marker } from '../../packages/browser-transport/test/app-build';

function areaOf(path: string): string {
  if (path.startsWith('browser-transport/')) return 'browser transport: WebSocket, worker clock, URL';
  if (path.includes('/client/')) return 'driver: MqttClient, options, streams';
  if (path.includes('/session/')) return 'session: QoS flows, subscriptions, version policy';
  if (path.includes('/codec/property')) return 'codec: 5.0 properties';
  if (path.includes('/codec/')) return 'codec: framing, packets, strict checks';
  if (path.endsWith('/errors.ts')) return 'error classes';
  return 'topics, memory outbox, system clock';
}

const result = await build({
  entryPoints: ['bench/bundle/courier-app.ts'],
  bundle: true,
  splitting: true,
  outdir: '/areas',
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  legalComments: 'inline',
  conditions: ['@courier/source'],
  external: ['@courier/outbox-store/idb-lazy'],
  plugins: [marker],
});
const gz = (text: string) => gzipSync(text, { level: 9 }).length;
const areas = new Map<string, string>();
let total = 0;
for (const file of result.outputFiles) {
  total += gz(file.text.replace(new RegExp(MARK, 'g'), ''));
  const parts = file.text.split(MARK);
  for (let i = 1; i < parts.length; i += 2) areas.set(areaOf(parts[i]!), (areas.get(areaOf(parts[i]!)) ?? '') + parts[i + 1]);
}
const strings = /`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"/g;
const alone = [...areas.values()].reduce((sum, code) => sum + gz(code), 0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`| area | minified | gzip (est.) | strings in it, minified |\n|---|---:|---:|---:|`);
for (const [area, code] of [...areas].sort((a, b) => b[1].length - a[1].length)) {
  const text = (code.match(strings) ?? []).filter((s) => s.length > 14).reduce((sum, s) => sum + s.length, 0);
  console.log(`| ${area} | ${kb(code.length)} | ${kb((gz(code) / alone) * total)} | ${kb(text)} |`);
}
console.log(`\nstart chunks: ${kb(total)} gzip`);
