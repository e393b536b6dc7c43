// In Chromium, through the built @courier/browser: the nine QoS combinations over WebSocket
// against the reference broker in both versions, and faults at each QoS level. The same
// assertions as in Node: received at min(publish, subscription), QoS 1 never lost, QoS 2 never
// lost or doubled.
import { type Browser, expect, type Page, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import { type PageServer, startPageServer } from './support/page-server';

let broker: Broker;
let pages: PageServer;
// One page for the whole file: loading it again for every case only costs time.
let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  pages = await startPageServer();
  page = await browser.newPage();
  await page.goto(pages.url);
  await expect(page.locator('#status')).toHaveText('ready');
});
test.afterAll(async () => {
  await page.close();
  await pages.close();
  await broker.close();
});
test.afterEach(async () => {
  broker.clearFaults();
  await page.evaluate(() => (window as never as { courierTest: { endAll(): Promise<void> } }).courierTest.endAll());
});

interface Result {
  counts: Record<number, number>;
  qos: Record<number, number>;
  settled: (number | string)[];
}

async function run(args: Record<string, unknown>): Promise<Result> {
  return page.evaluate(
    (a) => (window as never as { courierTest: { runCombination(a: unknown): Promise<Result> } }).courierTest.runCombination(a),
    { url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, count: 10, ...args },
  );
}

for (const protocolVersion of [4, 5] as const) {
  for (const publishQos of [0, 1, 2] as const) {
    for (const subscribeQos of [0, 1, 2] as const) {
      test(`MQTT ${protocolVersion}: published at QoS ${publishQos}, subscribed at QoS ${subscribeQos}: received at the lower, each once`, async () => {
        const tag = `m${protocolVersion}${publishQos}${subscribeQos}`;
        const result = await run({ protocolVersion, publishQos, subscribeQos, tag });
        expect(result.settled).toEqual(Array(10).fill(publishQos));
        expect(Object.keys(result.counts)).toHaveLength(10);
        expect(new Set(Object.values(result.qos))).toEqual(new Set([Math.min(publishQos, subscribeQos)]));
        expect(Object.values(result.counts).filter((n) => n > 1)).toEqual([]);
      });
    }
  }

  test(`MQTT ${protocolVersion}, QoS 0 with the publisher's connection cut: what arrives arrives once, every publish settles`, async () => {
    broker.inject({ clientId: `pub-f0-${protocolVersion}`, direction: 'in', type: 'publish', action: 'cut-after' });
    const result = await run({ protocolVersion, publishQos: 0, subscribeQos: 2, tag: `f0-${protocolVersion}`, waitMs: 1_000 });
    expect(result.settled.length).toBe(10);
    expect(Object.values(result.counts).filter((n) => n > 1)).toEqual([]);
  });

  test(`MQTT ${protocolVersion}, QoS 1 with the PUBACK dropped: nothing lost`, async () => {
    broker.inject({ clientId: `pub-f1-${protocolVersion}`, direction: 'out', type: 'puback', action: 'drop' });
    const result = await run({ protocolVersion, publishQos: 1, subscribeQos: 2, tag: `f1-${protocolVersion}`, options: { ackTimeoutMs: 300, clean: false } });
    expect(result.settled).toEqual(Array(10).fill(1));
    expect(Object.keys(result.counts)).toHaveLength(10);
  });

  test(`MQTT ${protocolVersion}, QoS 2 with the connection cut right after PUBREC: nothing lost, nothing doubled`, async () => {
    broker.inject({ clientId: `pub-f2-${protocolVersion}`, direction: 'out', type: 'pubrec', action: 'cut-after' });
    const result = await run({ protocolVersion, publishQos: 2, subscribeQos: 2, tag: `f2-${protocolVersion}`, options: { ackTimeoutMs: 300, clean: false } });
    expect(result.settled).toEqual(Array(10).fill(2));
    expect(Object.keys(result.counts)).toHaveLength(10);
    expect(Object.values(result.counts).filter((n) => n > 1)).toEqual([]);
  });
}
