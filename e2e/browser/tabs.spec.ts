// Tabs that share one session (issue 17), in Chromium through the reference broker over
// WebSocket: three tabs of one origin with the same client id and clean: false each subscribe to
// a shared topic and publish N messages at QoS 1 and N at QoS 2 at once. Mid-stream the tab that
// owns the connection is closed; the tabs left keep publishing and receiving. Then the new owner
// is reloaded mid-stream of a second round, and a third tab opens. Both ways of sharing run it:
// a SharedWorker owner and a leader tab elected with Web Locks, each against the reference broker
// and Mosquitto (both over WebSocket). COURIER_TABS=full: N = 1,000.
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import type { PageServer } from './support/page-server';
import { startTabsPageServer, tabs } from './support/tabs-page-server';
import { type RunningMosquitto, startMosquitto } from '../support/mosquitto';

const N = process.env.COURIER_TABS === 'full' ? 1000 : 150;

interface Counts {
  received: Record<string, number>;
  settled: Record<string, string[]>;
  owners: string[];
  here: boolean;
}

let broker: Broker;
let mosquitto: RunningMosquitto;
let pages: PageServer;
/** The WebSocket URL of the broker the current test runs against. */
let brokerUrl = '';

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0, maxQueuedMessages: 100_000 });
  mosquitto = await startMosquitto();
  pages = await startTabsPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await mosquitto.stop();
  await broker.close();
});

async function openTab(context: BrowserContext, share: string, clientId: string, topic: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(pages.url);
  await expect(page.locator('#status')).toHaveText('ready');
  await tabs(page, 'start', brokerUrl, clientId, share, topic);
  return page;
}

async function reload(page: Page, share: string, clientId: string, topic: string): Promise<void> {
  await page.reload();
  await expect(page.locator('#status')).toHaveText('ready');
  await tabs(page, 'start', brokerUrl, clientId, share, topic);
}

const counts = (page: Page) => tabs<Counts>(page, 'counts');

/** Waits until every one of `pages` has received all `from` messages numbered `first`..`first + n - 1`, or 60 s. */
async function waitForAll(receivers: Page[], from: string[], first: number, n: number): Promise<void> {
  await expect
    .poll(
      async () => {
        let missing = 0;
        for (const page of receivers) missing += await tabs<number>(page, 'missing', from, first, n);
        return missing;
      },
      { timeout: 60_000, intervals: [100] },
    )
    .toBe(0);
}

/** Every publish of `page` numbered first..first+n-1 settled exactly once, and well. */
async function expectSettledOnce(page: Page, first: number, n: number): Promise<void> {
  const inRange = (settled: Record<string, string[]>) => Object.keys(settled).filter((key) => Number(key.split(' ')[1]) >= first && Number(key.split(' ')[1]) < first + n).length;
  await expect.poll(async () => inRange((await counts(page)).settled), { timeout: 60_000 }).toBe(2 * n);
  const { settled } = await counts(page);
  for (const qos of [1, 2]) for (let k = first; k < first + n; k++) expect(settled[`${qos} ${k}`], `${qos} ${k}`).toEqual(['ok']);
}

/** No QoS 2 message arrived twice in `page`. */
async function expectNoQos2Duplicates(page: Page): Promise<void> {
  const { received } = await counts(page);
  const twice = Object.entries(received).filter(([key, times]) => key.split(' ')[1] === '2' && times > 1);
  if (twice.length > 0) console.log(`${twice.length} QoS 2 twice; the first:`, await tabs<string[]>(page, 'arrivals', twice.slice(0, 5).map(([key]) => key)));
  expect(twice).toEqual([]);
}

for (const [share, brokerName] of [['worker', 'reference'], ['leader', 'reference'], ['worker', 'mosquitto'], ['leader', 'mosquitto']] as const) {
  test(`${share}, ${brokerName} broker: three tabs share one session; the owner closed mid-stream, the next one reloaded, a new tab opened: QoS 1/2 all delivered, QoS 2 once, every publish settled once (N = ${N})`, async ({
    browser,
  }) => {
    test.setTimeout(N > 500 ? 600_000 : 180_000);
    brokerUrl = brokerName === 'reference' ? `ws://127.0.0.1:${broker.wsPort}/mqtt` : `ws://127.0.0.1:${mosquitto.wsPort}/mqtt`;
    const clientId = `tabs-${share}-${brokerName}-${Date.now()}`;
    const topic = `tabs/${share}`;
    const context = await browser.newContext();
    const a = await openTab(context, share, clientId, topic);
    const b = await openTab(context, share, clientId, topic);
    const c = await openTab(context, share, clientId, topic);
    const first = await tabs<{ owners: string[]; here: boolean }>(a, 'owner');
    if (share === 'leader') expect(first.here).toBe(true);
    else expect(first.owners.at(-1)).toMatch(/^worker:/);

    // Round 1: the three publish at once; the first tab (the leader path's owner) closes mid-stream.
    for (const [page, from] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) await tabs(page, 'publish', topic, from, N, 0);
    await expect.poll(async () => await tabs<number>(b, 'distinct'), { timeout: 60_000, intervals: [20] }).toBeGreaterThan(N / 2);
    const closedAt = Date.now();
    await a.close();
    let takeoverMs = 0;
    if (share === 'leader') {
      await expect.poll(async () => (await tabs<{ owners: string[] }>(b, 'owner')).owners.at(-1) !== first.owners.at(-1), { timeout: 10_000, intervals: [10] }).toBe(true);
      takeoverMs = Date.now() - closedAt;
    }
    await expectSettledOnce(b, 0, N);
    await expectSettledOnce(c, 0, N);
    await waitForAll([b, c], ['b', 'c'], 0, N);
    await expectNoQos2Duplicates(b);
    await expectNoQos2Duplicates(c);
    if (share === 'leader') expect((await tabs<{ owners: string[] }>(b, 'owner')).owners.at(-1)).not.toBe(first.owners.at(-1));

    // Round 2: the tab that owns the connection now (in the worker path, b) is reloaded mid-stream.
    const [owning, other, owningName, otherName] = share === 'leader' && !(await tabs<{ here: boolean }>(b, 'owner')).here ? [c, b, 'c', 'b'] : [b, c, 'b', 'c'];
    await tabs(other, 'publish', topic, otherName, N, N);
    await tabs(owning, 'publish', topic, owningName, N, N);
    await expect.poll(async () => await tabs<number>(other, 'distinct'), { timeout: 60_000, intervals: [20] }).toBeGreaterThan(2 * 2 * N + N / 2);
    await reload(owning, share, clientId, topic);
    await expectSettledOnce(other, N, N);
    await waitForAll([other], [otherName], N, N);
    await expectNoQos2Duplicates(other);

    // Round 3: a third tab opens; the three publish, and each receives every message.
    const d = await openTab(context, share, clientId, topic);
    for (const [page, from] of [[owning, owningName], [other, otherName], [d, 'd']] as const) await tabs(page, 'publish', topic, from, N, 2 * N);
    await waitForAll([owning, other, d], [owningName, otherName, 'd'], 2 * N, N);
    for (const page of [owning, other, d]) {
      await expectSettledOnce(page, 2 * N, N);
      await expectNoQos2Duplicates(page);
    }
    await expect.poll(() => tabs<number>(d, 'pending'), { timeout: 30_000 }).toBe(0);
    const qos1Twice = async (page: Page) => Object.entries((await counts(page)).received).filter(([key, times]) => key.split(' ')[1] === '1' && times > 1).length;
    console.log(
      `tabs ${share} ${brokerName} N=${N}: owner gone -> next owner announced in ${share === 'leader' ? `${takeoverMs} ms` : 'n/a (worker)'}; ` +
        `received by the surviving tab: ${await tabs<number>(other, 'distinct')} distinct, QoS 1 twice ${await qos1Twice(other)}, QoS 2 twice 0; ` +
        `fresh tab: ${await tabs<number>(d, 'distinct')} distinct`,
    );
    await context.close();
  });
}
