// `npm run bench:outbox` (second part): QoS 1 throughput of @courier/browser in Chromium with
// the memory outbox and the IndexedDB outbox ('relaxed', the default, and 'strict'), side by
// side in one run. The page (built @courier/browser, bundled with rollup) publishes 20,000
// messages of 64 bytes over WebSocket to the reference broker in this process on 127.0.0.1,
// keeping at most 100 unacknowledged; the figure is messages per second from the first publish
// to the last PUBACK. Median of the rounds after one uncounted warm-up round, the outboxes
// taking turns in each round. The goal: IndexedDB at 5,000 QoS 1 messages/s or more.
// Chromium runs from a profile on disk, as a user's would (an off-the-record profile keeps
// IndexedDB in memory). BENCH_ROUNDS and BENCH_MESSAGES as named.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
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
const KINDS: OutboxKind[] = ['memory', 'indexedDB relaxed', 'indexedDB strict'];

async function bundle(): Promise<string> {
  const built = await rollup({
    input: fileURLToPath(new URL('./outbox-browser/page.ts', import.meta.url)),
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }), esbuild({ target: 'es2022' })],
  });
  const { output } = await built.generate({ format: 'es' });
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
  const rates = new Map<OutboxKind, number[]>(KINDS.map((kind) => [kind, []]));
  let runs = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    for (const kind of KINDS) {
      const args = { url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, clientId: `bench-${runs++}`, outbox: kind, count: COUNT, maxOutstanding: 100 };
      const ms = await page.evaluate((a) => (window as never as { outboxBench: { run(a: unknown): Promise<number> } }).outboxBench.run(a), args);
      if (round > 0) rates.get(kind)!.push((COUNT / ms) * 1000);
    }
  }
  console.log(`bench:outbox in Chromium ${version}, Node ${process.version}, ${cpus().length} cores; ${COUNT} QoS 1 messages of 64 bytes per run, median of ${ROUNDS} rounds`);
  const memory = median(rates.get('memory')!);
  console.log('| outbox | msg/s | vs memory |\n|---|---:|---:|');
  for (const kind of KINDS) {
    const rate = median(rates.get(kind)!);
    console.log(`| ${kind} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / memory).toFixed(2)}× |`);
  }
} finally {
  await context.close();
  await broker.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
