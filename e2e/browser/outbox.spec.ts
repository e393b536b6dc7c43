// The IndexedDB outbox in Chromium, through the built @courier/browser with its default
// (clean: false => IndexedDB): a page reloaded mid-stream five times loses nothing it accepted
// and doubles no QoS 2 message; two tabs with one client id take turns instead of kicking each
// other off; a full quota is a typed error on publish(), and what was accepted is still delivered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import { connect, type MqttClient } from '@courier/node';
import { CHROMIUM_ARGS, findChromium } from '../support/chromium';
import { prng } from '../support/prng';
import { call, openPage } from './support/page-calls';
import { type PageServer, startPageServer } from './support/page-server';

const SEED = Number(process.env.COURIER_RELOAD_SEED ?? 20261124);
const MESSAGES = 2_000;
const RELOADS = 5;

let broker: Broker;
let pages: PageServer;

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0, maxQueuedMessages: 100_000 });
  pages = await startPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await broker.close();
});

const wsUrl = () => `ws://127.0.0.1:${broker.wsPort}/mqtt`;

/** A Node subscriber counting arrivals by message number (the payload, or its first `digits` bytes). */
async function subscriber(clientId: string, topic: string, digits?: number): Promise<{ client: MqttClient; received: Map<number, number> }> {
  const received = new Map<number, number>();
  const client = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId, clean: false });
  client.on('message', ({ payload }) => {
    const k = Number(new TextDecoder().decode(digits === undefined ? payload : payload.subarray(0, digits)));
    received.set(k, (received.get(k) ?? 0) + 1);
  });
  await client.subscribe(topic, { qos: 2 });
  return { client, received };
}

test(`a page reloaded ${RELOADS} times while publishing ${MESSAGES} messages: what it accepted arrives, QoS 2 once (seed ${SEED})`, async ({ browser }) => {
  test.setTimeout(180_000);
  const random = prng(SEED);
  const topic = 'reload/stream';
  const { client: sub, received } = await subscriber('reload-sub', topic);
  const lines: string[] = [];
  const page = await openPage(browser, pages.url, lines);
  const starts: number[] = [];
  try {
    for (let run = 0; run <= RELOADS; run++) {
      const from = lines.length;
      const streaming = call<void>(page, 'stream', { url: wsUrl(), clientId: 'reload-pub', topic, last: MESSAGES }).catch(() => undefined);
      await expect.poll(() => lines.slice(from).some((line) => line.startsWith('pending')), { timeout: 30_000 }).toBe(true);
      if (run === RELOADS) {
        await streaming;
        await expect.poll(() => lines.includes('finished'), { timeout: 60_000 }).toBe(true);
      } else {
        await page.waitForTimeout(50 + Math.floor(random() * 350));
        await page.reload();
        await expect(page.locator('#status')).toHaveText('ready');
      }
    }
    const accepted = new Set<number>();
    for (const line of lines) {
      const [word, value = ''] = line.split(' ');
      if (word === 'start') starts.push(Number(value));
      if (word === 'pending') for (const k of value.split(',').filter(Boolean)) accepted.add(Number(k));
      if (word === 'done') accepted.add(Number(value));
    }
    await expect.poll(() => [...accepted].filter((k) => !received.has(k)).length, { timeout: 30_000 }).toBe(0);
    const qos2Twice = [...received].filter(([k, n]) => k % 2 === 0 && n > 1).map(([k]) => k);
    // A run issued starts[r]..starts[r+1]-1; what it lost (never written) must be the last of those.
    const notSuffix: string[] = [];
    let lost = 0;
    for (let r = 0; r + 1 < starts.length; r++) {
      const issued = Array.from({ length: starts[r + 1]! - starts[r]! }, (_, i) => starts[r]! + i);
      const missing = issued.filter((k) => !accepted.has(k) && !received.has(k));
      lost += missing.length;
      if (missing.length > 0 && issued.slice(issued.length - missing.length).join() !== missing.join()) notSuffix.push(`run ${r}`);
    }
    console.log(`reload (seed ${SEED}): ${RELOADS} reloads, starts ${starts.join(' ')}, ${accepted.size} accepted, ${lost} lost before IndexedDB, ${received.size} received, ${qos2Twice.length} QoS 2 twice`);
    expect(starts).toHaveLength(RELOADS + 1);
    expect(qos2Twice).toEqual([]);
    expect(notSuffix).toEqual([]);
    expect(received.size + lost).toBe(MESSAGES);
  } finally {
    await page.close();
    await sub.end({ force: true });
  }
});

test("two tabs with one client id and lock: 'wait': the second waits for the first and says so, no connection is taken over", async ({ browser }) => {
  const connects: string[] = [];
  const stopTap = broker.tap(({ clientId, direction, packet }) => {
    if (clientId === 'two-tabs' && direction === 'in' && packet.type === 'connect') connects.push(clientId);
  });
  const linesA: string[] = [];
  const linesB: string[] = [];
  const context = await browser.newContext();
  try {
    const a = await context.newPage();
    await a.exposeFunction('report', (line: string) => linesA.push(line));
    await a.goto(pages.url);
    const b = await context.newPage();
    await b.exposeFunction('report', (line: string) => linesB.push(line));
    await b.goto(pages.url);
    expect(await call(a, 'openSession', { url: wsUrl(), clientId: 'two-tabs', lock: 'wait' })).toBe('connected');
    let bConnected = false;
    const second = call<string>(b, 'openSession', { url: wsUrl(), clientId: 'two-tabs', lock: 'wait' }).then((outcome) => {
      bConnected = true;
      return outcome;
    });
    // With MQTT.js, each tab's connection takes the session from the other, over and over.
    await a.waitForTimeout(1_500);
    expect(bConnected).toBe(false);
    // Not silent: the waiting tab's client says what it waits for.
    expect(linesB.filter((line) => line.startsWith('warning waiting for the outbox'))).toHaveLength(1);
    expect(connects).toHaveLength(1);
    expect(linesA.filter((line) => line === 'disconnect')).toEqual([]);
    expect(await call(a, 'publishFromSession', 'tabs/a', 'from a')).toBe(2);

    expect(await call(b, 'openSession', { url: wsUrl(), clientId: 'two-tabs', lock: 'fail' })).toBe('ERR_OUTBOX');

    await a.close(); // the lock goes with the tab: the waiting one takes the session
    expect(await second).toBe('connected');
    expect(connects).toHaveLength(2);
    expect(await call(b, 'publishFromSession', 'tabs/b', 'from b')).toBe(2);
  } finally {
    stopTap();
    await context.close();
  }
});

test('two tabs with one client id (sharing, the default): both connect at once over one connection, and both publish', async ({ browser }) => {
  const connects: string[] = [];
  const stopTap = broker.tap(({ clientId, direction, packet }) => {
    if (clientId === 'two-tabs-shared' && direction === 'in' && packet.type === 'connect') connects.push(clientId);
  });
  const context = await browser.newContext();
  try {
    const a = await context.newPage();
    await a.exposeFunction('report', () => undefined);
    await a.goto(pages.url);
    const b = await context.newPage();
    await b.exposeFunction('report', () => undefined);
    await b.goto(pages.url);
    expect(await call(a, 'openSession', { url: wsUrl(), clientId: 'two-tabs-shared' })).toBe('connected');
    expect(await call(b, 'openSession', { url: wsUrl(), clientId: 'two-tabs-shared' })).toBe('connected');
    expect(await call(a, 'publishFromSession', 'tabs/a', 'from a')).toBe(2);
    expect(await call(b, 'publishFromSession', 'tabs/b', 'from b')).toBe(2);
    expect(connects).toHaveLength(1);
  } finally {
    stopTap();
    await context.close();
  }
});

test('a full storage quota is ERR_OUTBOX on publish(), and every message accepted before it is delivered', async () => {
  const topic = 'quota/fill';
  const { client: sub, received } = await subscriber('quota-sub', topic, 8);
  const lines: string[] = [];
  // A quota override takes effect in a profile on disk, not in Playwright's off-the-record contexts.
  const profile = mkdtempSync(join(tmpdir(), 'courier-quota-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: findChromium()!, args: CHROMIUM_ARGS });
  const page = await context.newPage();
  await page.exposeFunction('report', (line: string) => lines.push(line));
  await page.goto(pages.url);
  await expect(page.locator('#status')).toHaveText('ready');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(pages.url).origin, quotaSize: 4 * 1024 * 1024 });
  const dropped = broker.inject({ clientId: 'quota-pub', direction: 'in', type: 'publish', action: 'drop', count: 1_000_000 });
  const COUNT = 40;
  try {
    await call(page, 'fillOutbox', { url: wsUrl(), clientId: 'quota-pub', topic, count: COUNT, size: 256 * 1024 });
    const rejected = lines.filter((line) => line.startsWith('rejected'));
    console.log(`quota: ${COUNT - rejected.length} of ${COUNT} messages of 256 KiB accepted under a 4 MiB quota; first refusal: ${rejected[0]}`);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((line) => line.split(' ')[2] === 'ERR_OUTBOX')).toBe(true);
    expect(rejected.length).toBeLessThan(COUNT);
    const refused = new Set(rejected.map((line) => Number(line.split(' ')[1])));
    dropped.remove();
    broker.dropClient('quota-pub'); // the reconnect resends what the outbox holds
    const accepted = Array.from({ length: COUNT }, (_, k) => k).filter((k) => !refused.has(k));
    await expect.poll(() => accepted.filter((k) => !received.has(k)).length, { timeout: 30_000 }).toBe(0);
    await expect.poll(() => lines.filter((line) => line.startsWith('done')).length, { timeout: 10_000 }).toBe(accepted.length);
    expect([...received.keys()].filter((k) => refused.has(k))).toEqual([]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await sub.end({ force: true });
  }
});
