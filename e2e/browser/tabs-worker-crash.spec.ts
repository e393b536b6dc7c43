// Tabs that share one session through a SharedWorker, and the worker crashes (issue 17): Chromium
// kills it (DevTools protocol, Target.closeTarget on its shared_worker target: it ends without a
// word to the tabs, its ports and locks dropped) while two tabs publish at QoS 1 and 2. The tabs see
// the worker's life lock go, start a new worker, and carry their calls over to its owner, as on a
// leader change: every publish settles once and well, every message arrives, QoS 2 once.
import { expect, type Page, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import type { PageServer } from './support/page-server';
import { startTabsPageServer, tabs } from './support/tabs-page-server';

const N = 150;

let broker: Broker;
let pages: PageServer;

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0, maxQueuedMessages: 100_000 });
  pages = await startTabsPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await broker.close();
});

test('the SharedWorker that owns the session is killed mid-stream: the tabs start another, and every publish settles once, every message arrives, QoS 2 once', async ({ browser }) => {
  test.setTimeout(120_000);
  const url = `ws://127.0.0.1:${broker.wsPort}/mqtt`;
  const clientId = `tabs-crash-${Date.now()}`;
  const topic = 'tabs/crash';
  const context = await browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const page of [a, b]) {
    await page.goto(pages.url);
    await expect(page.locator('#status')).toHaveText('ready');
    await tabs(page, 'start', url, clientId, 'worker', topic);
  }
  const before = (await tabs<{ owners: string[] }>(a, 'owner')).owners.at(-1);
  expect(before).toMatch(/^worker:/);

  // The broker holds its 50th PUBACK to the owner for 5 s, and with it (a connection's packets
  // keep their order) everything after it: the kill below comes mid-stream, some publishes settled
  // and the rest in flight, however fast the stream runs. Waiting for messages to arrive instead
  // raced it: a fast run had settled all 600 before the kill (1 of a few dozen runs).
  let pubacks = 0;
  broker.inject({ clientId, type: 'puback', direction: 'out', action: 'delay', delayMs: 5_000, match: () => ++pubacks === 50 });
  let published = 0;
  const untap = broker.tap(({ clientId: id, direction, packet }) => {
    if (id === clientId && direction === 'in' && packet.type === 'publish') published++;
  });
  await tabs(a, 'publish', topic, 'a', N, 0);
  await tabs(b, 'publish', topic, 'b', N, 0);
  await expect.poll(() => published > 100 && pubacks >= 50, { timeout: 30_000, intervals: [10] }).toBe(true);
  untap();
  const settledCount = async (page: Page) => Object.values((await tabs<{ settled: Record<string, string[]> }>(page, 'counts')).settled).length;
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
  const workers = targetInfos.filter((target) => target.type === 'shared_worker');
  expect(workers).toHaveLength(1);
  await cdp.send('Target.closeTarget', { targetId: workers[0]!.targetId });
  const unsettled = 4 * N - (await settledCount(a)) - (await settledCount(b));
  console.log(`worker killed with ${unsettled} of ${4 * N} publishes not settled`);
  expect(unsettled, 'publishes in flight when the worker is killed').toBeGreaterThan(0);

  for (const page of [a, b]) {
    await expect.poll(() => settledCount(page), { timeout: 30_000 }).toBe(2 * N);
    const { settled, received } = await tabs<{ settled: Record<string, string[]>; received: Record<string, number> }>(page, 'counts');
    for (const outcome of Object.values(settled)) expect(outcome).toEqual(['ok']);
    await expect.poll(() => tabs<number>(page, 'missing', ['a', 'b'], 0, N), { timeout: 30_000 }).toBe(0);
    expect(Object.entries(received).filter(([key, times]) => key.split(' ')[1] === '2' && times > 1)).toEqual([]);
  }
  // A new worker, whose owner the tabs know by a new id.
  for (const page of [a, b]) expect((await tabs<{ owners: string[] }>(page, 'owner')).owners.at(-1)).not.toBe(before);
  await expect.poll(() => tabs<number>(a, 'pending'), { timeout: 30_000 }).toBe(0);
  await context.close();
});
