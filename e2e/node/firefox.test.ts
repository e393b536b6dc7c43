// In Firefox (Debian's ESR, over WebDriver BiDi: see e2e/support/firefox.ts), through the built
// @courier/browser: the README's web page quick start from a plain script tag, and the nine QoS
// combinations over WebSocket in both versions, as e2e/browser/ runs them in Chromium.
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { type PageServer, startPageServer } from '../browser/support/page-server';
import { launchFirefox } from '../support/firefox';
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
