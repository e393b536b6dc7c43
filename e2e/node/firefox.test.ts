// In Firefox (Debian's ESR, over WebDriver BiDi: see e2e/support/firefox.ts), through the built
// @courier/browser: the README's web page quick start from a plain script tag, the nine QoS
// combinations over WebSocket in both versions, the IndexedDB outbox across reloads and
// keep-alive on the Worker clock, as e2e/browser/ and the browser unit tests do in Chromium.
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect } from '@courier/node';
import { type PageServer, startPageServer } from '../browser/support/page-server';
import { launchFirefox } from '../support/firefox';
import { Receiver } from '../support/receiver';
import { serveWebQuickStart } from '../support/web-quickstart-server';

let broker: Broker;
let firefox: Browser;
beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  firefox = await launchFirefox();
}, 60_000);
afterAll(async () => {
  await firefox?.close();
  await broker.close();
});

test('Firefox is the one it says: Gecko, not a Chromium', async () => {
  const page = await firefox.newPage();
  expect(await page.evaluate(() => navigator.userAgent)).toMatch(/Gecko\/\d+ Firefox\/\d+/);
  await page.close();
});

describe('the README quick start for a web page', () => {
  let server: Awaited<ReturnType<typeof serveWebQuickStart>>;
  beforeAll(async () => {
    server = await serveWebQuickStart(broker.wsPort!);
  });
  afterAll(() => server.close());

  test('runs from a plain script tag and shows the alert', async () => {
    const page = await firefox.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.textContent === 'alerts/door: open', { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the nine QoS combinations over WebSocket', () => {
  let pages: PageServer;
  let page: Page;
  beforeAll(async () => {
    pages = await startPageServer();
    page = await firefox.newPage();
    await page.goto(pages.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', { timeout: 10_000 });
  }, 60_000);
  afterAll(async () => {
    await page.close();
    await pages.close();
  });

  const combinations = [4, 5].flatMap((version) => [0, 1, 2].flatMap((published) => [0, 1, 2].map((subscribed) => [version, published, subscribed] as const)));
  test.each(combinations)('MQTT %i: published at QoS %i, subscribed at QoS %i: received at the lower, each once', async (protocolVersion, publishQos, subscribeQos) => {
    const result = await page.evaluate(
      (run) => (window as never as { courierTest: { runCombination(run: unknown): Promise<{ counts: Record<number, number>; qos: Record<number, number>; settled: unknown[] }> } }).courierTest
        .runCombination(run)
        .finally(() => (window as never as { courierTest: { endAll(): Promise<void> } }).courierTest.endAll()),
      { url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, count: 10, protocolVersion, publishQos, subscribeQos, tag: `ff${protocolVersion}${publishQos}${subscribeQos}` },
    );
    expect(result.settled).toEqual(Array(10).fill(publishQos));
    expect(Object.keys(result.counts)).toHaveLength(10);
    expect(new Set(Object.values(result.qos))).toEqual(new Set([Math.min(publishQos, subscribeQos)]));
    expect(Object.values(result.counts).filter((n) => n > 1)).toEqual([]);
  });
});

describe('the IndexedDB outbox (clean: false, the default store)', () => {
  let pages: PageServer;
  beforeAll(async () => {
    pages = await startPageServer();
  });
  afterAll(() => pages.close());

  test('a page reloaded twice while publishing 5000 messages: what it accepted arrives, QoS 2 once', async () => {
    // Firefox publishes 2,000 in well under 100 ms here: the reload is sent from the report that
    // counts the 200th settled publish of a run, with thousands still to go.
    const MESSAGES = 5_000;
    const subscriber = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'ff-reload-sub', clean: false });
    const receiver = new Receiver(subscriber);
    await subscriber.subscribe('ff/reload', { qos: 2 });
    const page = await firefox.newPage();
    const lines: string[] = [];
    // Reports from the page (e2e/browser/page/app.ts's stream()); the binding outlives a reload.
    let reloadWhen: ((line: string) => boolean) | undefined;
    let reloading: Promise<unknown> | undefined;
    await page.exposeFunction('report', (line: string) => {
      lines.push(line);
      if (reloadWhen?.(line) === true) {
        reloadWhen = undefined;
        reloading = page.reload();
      }
    });
    await page.goto(pages.url);
    const ready = () => page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', { timeout: 10_000 });
    const stream = () =>
      page
        .evaluate(
          (run) => (window as never as { courierTest: { stream(run: unknown): Promise<void> } }).courierTest.stream(run),
          { url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, clientId: 'ff-reload-pub', topic: 'ff/reload', last: MESSAGES },
        )
        .catch(() => undefined); // a reload cuts the evaluation short
    try {
      await ready();
      // Two reloads at least; more (up to six) while no start has found anything owed yet: Firefox
      // sometimes lets the old page settle all it had in flight before the reload takes it, and
      // then the run proves nothing about the outbox.
      let restoredSoFar = false;
      for (let run = 0; ; run++) {
        const from = lines.length;
        // The broker holds its 150th PUBACK of the run for 5 s, and with it (a connection's
        // packets keep their order) every ack after it. With at most 100 outstanding, the page has
        // settled its 200th publish (the reload's cue) before it sent the one that PUBACK answers,
        // so the reload finds up to 100 in flight, however fast the page runs.
        let pubacks = 0;
        const hold = broker.inject({ clientId: 'ff-reload-pub', type: 'puback', direction: 'out', action: 'delay', delayMs: 5_000, match: () => ++pubacks === 150 });
        const streaming = stream();
        await until(() => lines.slice(from).some((line) => line.startsWith('pending')), 20_000);
        restoredSoFar ||= lines.slice(from).some((line) => /^pending \d/.test(line));
        const finishedSince = () => lines.slice(from).includes('finished');
        if ((run >= 2 && restoredSoFar) || run === 6) {
          hold.remove();
          await streaming;
          await until(finishedSince, 30_000);
          break;
        }
        let settled = 0;
        reloadWhen = (line) => line.startsWith('done') && ++settled === 200;
        await until(() => reloading !== undefined || finishedSince(), 20_000);
        hold.remove();
        if (reloading === undefined) break; // the stream ran out before this run's 200th
        await reloading;
        reloading = undefined;
        await ready();
      }
      const accepted = new Set<number>();
      let restored = 0;
      for (const line of lines) {
        const [word, value = ''] = line.split(' ');
        if (word === 'pending') for (const k of value.split(',').filter(Boolean)) accepted.add(Number(k)), restored++;
        if (word === 'done') accepted.add(Number(value));
      }
      console.log(`firefox reloads: ${accepted.size} accepted, ${restored} restored from IndexedDB, ${receiver.distinct} received`);
      expect(lines).toContain('finished');
      expect(restored).toBeGreaterThan(0); // IndexedDB gave back what a reload interrupted
      await until(() => [...accepted].every((k) => receiver.counts.has(k)), 10_000);
      expect([...accepted].filter((k) => !receiver.counts.has(k))).toEqual([]);
      expect(receiver.duplicates().filter((k) => k % 2 === 0)).toEqual([]);
    } finally {
      await page.close();
      await subscriber.end({ force: true });
    }
  }, 90_000);
});

test('keep-alive runs on the Worker clock: PINGREQ every second for a keep-alive of 1 s, never dropped', async () => {
  const pages = await startPageServer();
  const page = await firefox.newPage();
  const pings: number[] = [];
  const untap = broker.tap(({ clientId, direction, packet }) => {
    if (clientId === 'ff-keepalive' && direction === 'in' && packet.type === 'pingreq') pings.push(Date.now());
  });
  try {
    await page.goto(pages.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', { timeout: 10_000 });
    const result = await page.evaluate(
      (args) => (window as never as { courierTest: { keepAlive(args: unknown): Promise<{ usesWorker: boolean; disconnects: number }> } }).courierTest.keepAlive(args),
      { url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, clientId: 'ff-keepalive', keepAliveSeconds: 1, waitMs: 3_300 },
    );
    expect(result).toEqual({ usesWorker: true, disconnects: 0 });
    expect(pings.length).toBeGreaterThanOrEqual(2);
  } finally {
    untap();
    await page.close();
    await pages.close();
  }
});

/** Resolves once `condition` holds or `timeoutMs` has passed. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}
