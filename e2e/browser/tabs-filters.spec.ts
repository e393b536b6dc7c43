// The filters a shared session holds at the broker outlive the tabs that wanted them: the broker's
// session keeps them, and MQTT cannot ask for them. The owner keeps them in IndexedDB (issue 17):
// here a tab subscribes and is closed with its owner (the only tab: nothing unsubscribes), and a
// tab opened later with another filter becomes the next owner, reads the record, and 10 s later
// (the grace for a reloaded tab) unsubscribes the filter no tab wants. Chromium, the leader path,
// the reference broker over WebSocket, its packet tap.
import { expect, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import type { PageServer } from './support/page-server';
import { startTabsPageServer, tabs } from './support/tabs-page-server';

let broker: Broker;
let pages: PageServer;

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  pages = await startTabsPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await broker.close();
});

test('a filter left at the broker by tabs closed with their owner is unsubscribed by the next owner, from the record in IndexedDB', async ({ browser }) => {
  test.setTimeout(60_000);
  const url = `ws://127.0.0.1:${broker.wsPort}/mqtt`;
  const clientId = `tabs-filters-${Date.now()}`;
  const sent: { type: string; topicFilters?: string[]; subscriptions?: { topicFilter: string }[] }[] = [];
  broker.tap(({ clientId: id, direction, packet }) => {
    if (id === clientId && direction === 'in') sent.push(packet as (typeof sent)[number]);
  });
  const context = await browser.newContext();
  const open = async (topic: string) => {
    const page = await context.newPage();
    await page.goto(pages.url);
    await expect(page.locator('#status')).toHaveText('ready');
    await tabs(page, 'start', url, clientId, 'leader', topic);
    return page;
  };
  const first = await open('filters/old');
  await first.close();
  const second = await open('filters/new');
  expect(sent.filter((packet) => packet.type === 'unsubscribe')).toEqual([]);
  await expect.poll(() => sent.filter((packet) => packet.type === 'unsubscribe').map((packet) => packet.topicFilters), { timeout: 20_000 }).toEqual([['filters/old/#']]);
  expect(sent.filter((packet) => packet.type === 'subscribe').flatMap((packet) => packet.subscriptions!.map((sub) => sub.topicFilter))).toEqual(['filters/old/#', 'filters/new/#']);
  await second.close();
  await context.close();
});
