// `npm run bench:outbox` (second part): QoS 1 throughput of @courier/browser in Chromium with
// the memory outbox and the IndexedDB outbox ('relaxed', the default, and 'strict'), side by
// side in one run. The page (built @courier/browser, bundled with rollup) publishes 20,000
// messages of 64 bytes over WebSocket to the reference broker in this process on 127.0.0.1,
// keeping at most 100 unacknowledged; the figure is messages per second from the first publish
// to the last PUBACK. Median of the rounds after one uncounted warm-up round, the outboxes
// taking turns in each round. The goal: IndexedDB at 5,000 QoS 1 messages/s or more.
// Chromium runs from a profile on disk, as a user's would (an off-the-record profile keeps
// IndexedDB in memory). Two more rows, marked as such, keep at most 1,000 unacknowledged (the
// client allowed 1,000 in flight): memory and IndexedDB 'relaxed'. BENCH_ROUNDS and
// BENCH_MESSAGES as named.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import { createBroker } from '@courier/broker';
import { CHROMIUM_ARGS, findChromium } from '../e2e/support/chromium';
import type { OutboxKind } from './outbox-browser/page';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WINDOW = 100;
const WIDE_WINDOW = 1_000;
/** Each row: an outbox and its window. */
const ROWS: { kind: OutboxKind; window: number }[] = [
  { kind: 'memory', window: WINDOW },
  { kind: 'indexedDB relaxed', window: WINDOW },
  { kind: 'indexedDB strict', window: WINDOW },
  { kind: 'memory', window: WIDE_WINDOW },
  { kind: 'indexedDB relaxed', window: WIDE_WINDOW },
];
const rowName = (row: (typeof ROWS)[number]): string => (row.window === WINDOW ? row.kind : `${row.kind} (window ${row.window.toLocaleString('en-US')})`);

async function bundle(): Promise<string> {
  const built = await rollup({
    input: fileURLToPath(new URL('./outbox-browser/page.ts', import.meta.url)),
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }), esbuild({ target: 'es2022' })],
  });
  const { output } = await built.generate({ format: 'es', inlineDynamicImports: true });
  await built.close();
  return output[0].code;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const code = await bundle();
const server = createServer((request, response) => {
  if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
  else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/page.js"></script>');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const pageUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
const broker = await createBroker({ port: 0, wsPort: 0 });
const profile = mkdtempSync(join(tmpdir(), 'courier-bench-idb-'));
const executablePath = findChromium();
if (executablePath === undefined) throw new Error('Chromium was not found: install Debian\'s chromium');
const context = await chromium.launchPersistentContext(profile, { executablePath, args: CHROMIUM_ARGS });
try {
  const page = await context.newPage();
  await page.goto(pageUrl);
  await page.waitForFunction(() => document.title === 'ready');
  const version = await page.evaluate(() => navigator.userAgent.match(/Chrom(e|ium)\/([\d.]+)/)?.[2] ?? 'unknown');
  const rates = ROWS.map(() => [] as number[]);
  const loadBefore = loadavg()[0]!;
  let runs = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, row] of ROWS.entries()) {
      const args = { url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, clientId: `bench-${runs++}`, outbox: row.kind, count: COUNT, maxOutstanding: row.window };
      const ms = await page.evaluate((a) => (window as never as { outboxBench: { run(a: unknown): Promise<number> } }).outboxBench.run(a), args);
      if (round > 0) rates[i]!.push((COUNT / ms) * 1000);
    }
  }
  const loadAfter = loadavg()[0]!;
  console.log(`bench:outbox in Chromium ${version}, Node ${process.version}, ${cpus().length} cores; ${COUNT} QoS 1 messages of 64 bytes per run, at most ${WINDOW} outstanding unless marked, median of ${ROUNDS} rounds`);
  console.log(`load average (1 min): ${loadBefore.toFixed(2)} before the rounds, ${loadAfter.toFixed(2)} after`);
  console.log('| outbox | msg/s | vs memory |\n|---|---:|---:|');
  for (const [i, row] of ROWS.entries()) {
    const rate = median(rates[i]!);
    // Against the memory outbox with the same window.
    const memory = median(rates[ROWS.findIndex((r) => r.kind === 'memory' && r.window === row.window)]!);
    console.log(`| ${rowName(row)} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / memory).toFixed(2)}× |`);
  }
} finally {
  await context.close();
  await broker.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
