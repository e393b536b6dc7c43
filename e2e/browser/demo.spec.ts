// The demo page of `npm start`, driven in Chromium against the real demo process (broker, page
// server, fault hooks): a publish at each QoS draws its flow, a cut mid-flow shows the resend
// with DUP=1, a reload with messages owed shows the IndexedDB outbox delivering them, and a
// subscriber that crashes with messages in hand, unacknowledged, gets them again from the broker.
import { expect, type Page, test } from '@playwright/test';
import { pick, useDemo } from './support/demo-page';

const pageUrl = useDemo();

async function open(page: Page): Promise<void> {
  await page.goto(pageUrl());
  await expect(page.locator('#publish')).toBeEnabled({ timeout: 20_000 });
}

/** A lifeline's rows of one packet type, those a fault dropped left out. */
const rows = (page: Page, role: 'publisher' | 'subscriber', type: string) => page.locator(`#diagram g.row[data-role="${role}"][data-type="${type}"]:not(.dropped)`);
/**
 * The labels of a lifeline's PUBLISH flow arrows, packet ids left out (the allocator's choice, not
 * the flow's). A SUBACK may still be on its way over the event stream when the diagram is cleared.
 */
const labels = (page: Page, role: 'publisher' | 'subscriber') => async () =>
  (await page.locator(`#diagram g.row[data-role="${role}"]:is(.publish, .puback, .pubrec, .pubrel, .pubcomp) .label`).allTextContents()).map((text) => text.replace(/ id \d+/, ''));
const count = (page: Page, qos: number, column: 'sent' | 'delivered' | 'duplicates') => page.locator(`#counts tr[data-qos="${qos}"] .${column}`);

test('a publish at each QoS draws its packet flow, received at min(published, subscribed)', async ({ page }, testInfo) => {
  await open(page);
  const flows = [
    { publishQos: 0, subscribeQos: 2, publisher: ['PUBLISH QoS 0 "#1"'], subscriber: ['PUBLISH QoS 0 "#1"'] },
    { publishQos: 1, subscribeQos: 2, publisher: ['PUBLISH QoS 1 "#2"', 'PUBACK'], subscriber: ['PUBLISH QoS 1 "#2"', 'PUBACK'] },
    { publishQos: 2, subscribeQos: 2, publisher: ['PUBLISH QoS 2 "#3"', 'PUBREC', 'PUBREL', 'PUBCOMP'], subscriber: ['PUBLISH QoS 2 "#3"', 'PUBREC', 'PUBREL', 'PUBCOMP'] },
    // The downgrade: published at 2, subscribed at 1, received at 1.
    { publishQos: 2, subscribeQos: 1, publisher: ['PUBLISH QoS 2 "#4"', 'PUBREC', 'PUBREL', 'PUBCOMP'], subscriber: ['PUBLISH QoS 1 "#4"', 'PUBACK'] },
  ];
  for (const flow of flows) {
    await pick(page, flow.publishQos, flow.subscribeQos);
    await page.click('#clear');
    await page.click('#publish');
    await expect.poll(labels(page, 'publisher')).toEqual(flow.publisher);
    await expect.poll(labels(page, 'subscriber')).toEqual(flow.subscriber);
  }
  await expect(page.locator('#diagram g.row[data-dup="true"]')).toHaveCount(0);
  for (const [qos, sent] of [[0, 1], [1, 1], [2, 2]] as const) {
    await expect(count(page, qos, 'sent')).toHaveText(String(sent));
    await expect(count(page, qos, 'delivered')).toHaveText(String(sent));
    await expect(count(page, qos, 'duplicates')).toHaveText('0');
  }
  await page.screenshot({ path: testInfo.outputPath('demo-flows.png'), fullPage: true });
});

test('a cut mid-flow: the publisher resends with DUP=1; QoS 1 may deliver twice, QoS 2 exactly once', async ({ page }, testInfo) => {
  await open(page);
  for (const qos of [1, 2] as const) {
    await pick(page, qos, 2);
    await page.click('#clear');
    await page.click('#cut');
    await expect(page.locator('#diagram g.row.cut')).toHaveCount(1);
    await expect(page.locator('#diagram g.row.dropped')).toHaveCount(1);
    const resent = page.locator('#diagram g.row[data-role="publisher"][data-type="publish"][data-dup="true"]');
    await expect(resent).toHaveCount(1);
    await expect(resent.locator('.label')).toContainText(`QoS ${qos}`);
    await expect(resent.locator('.label')).toContainText('DUP=1');
    // The reconnect found its session, then the flow finished.
    await expect(rows(page, 'publisher', 'connack').locator('.label')).toContainText('(session present)');
    await expect(rows(page, 'publisher', qos === 1 ? 'puback' : 'pubcomp')).toHaveCount(1);
    await expect(count(page, qos, 'delivered')).toHaveText('1');
  }
  // QoS 1: the broker had routed the first copy before the cut and routes the resend too.
  await expect(count(page, 1, 'duplicates')).toHaveText('1');
  await expect(count(page, 2, 'duplicates')).toHaveText('0');
  await page.screenshot({ path: testInfo.outputPath('demo-cut.png'), fullPage: true });
});

test('a reload with 3 messages owed: the IndexedDB outbox resends them after the reload, each delivered once', async ({ page }, testInfo) => {
  await open(page);
  await pick(page, 2, 2);
  await page.click('#reload');
  // After the reload the page says what it restored, then the resends are drawn.
  await expect(page.locator('#log')).toContainText('restored from IndexedDB: 3 owed (#1 #2 #3), resent with DUP=1', { timeout: 20_000 });
  const resent = page.locator('#diagram g.row[data-role="publisher"][data-type="publish"][data-dup="true"]');
  await expect(resent).toHaveCount(3);
  await expect(rows(page, 'publisher', 'pubcomp')).toHaveCount(3);
  for (const n of [1, 2, 3]) await expect(page.locator('#log')).toContainText(`#${n} delivered from the outbox`);
  await expect(count(page, 2, 'sent')).toHaveText('3');
  await expect(count(page, 2, 'delivered')).toHaveText('3');
  await expect(count(page, 2, 'duplicates')).toHaveText('0');
  await expect(page.locator('#owed')).toHaveText('0');
  // The story continues across the reload: the rows from before it, a marker, then the resends.
  // The three PUBLISH packets the broker dropped were owed, not lost.
  await expect(page.locator('#diagram g.row.marker .label')).toHaveText('⟳ page reloaded here (rows above: before it)');
  await expect(page.locator('#diagram g.row.dropped .fault-note')).toHaveText(Array(3).fill('✗ never arrived: still owed, goes again'));
  const order = await page.locator('#diagram g.row').evaluateAll((all) => all.map((row) => (row.classList.contains('marker') ? 'marker' : row.getAttribute('data-dup') === 'true' ? 'resend' : row.classList.contains('dropped') ? 'dropped' : 'other')));
  expect(order.lastIndexOf('dropped')).toBeLessThan(order.indexOf('marker'));
  expect(order.indexOf('resend')).toBeGreaterThan(order.indexOf('marker'));
  await page.screenshot({ path: testInfo.outputPath('demo-reload.png'), fullPage: true });
});

for (const qos of [1, 2] as const) {
  test(`a subscriber that crashes with 3 QoS ${qos} messages in hand: the broker sends them again after the reload, nothing lost`, async ({ page }, testInfo) => {
    await open(page);
    await pick(page, qos, qos);
    await page.click('#crash-subscriber');
    await expect(page.locator('#log')).toContainText('the subscriber crashed (reloaded) with #1 #2 #3 in hand', { timeout: 20_000 });
    await expect(page.locator('#log')).toContainText('every message the crash interrupted was delivered again: nothing lost', { timeout: 15_000 });
    for (const n of [1, 2, 3]) await expect(page.locator('#log')).toContainText(`#${n} came again from the broker after the crash`);
    await expect(count(page, qos, 'sent')).toHaveText('3');
    await expect(count(page, qos, 'delivered')).toHaveText('3');
    await expect(count(page, qos, 'duplicates')).toHaveText('0');
    // The publisher ended cleanly first: nothing came again from its outbox.
    await expect(page.locator('#log')).not.toContainText('restored from IndexedDB');
    await expect(page.locator('#diagram g.row[data-role="publisher"][data-dup="true"]')).toHaveCount(0);

    // The story in the diagram: three PUBLISH packets to the subscriber and no ack from it, the
    // crash, the reload, then the broker's resends (DUP=1) and the subscriber's acks.
    const ack = qos === 1 ? 'puback' : 'pubrec';
    await expect(rows(page, 'subscriber', ack)).toHaveCount(3);
    const story = await page.locator('#diagram g.row').evaluateAll((all) =>
      all.map((row) => {
        if (row.classList.contains('marker')) return row.textContent ?? '';
        if (row.getAttribute('data-role') !== 'subscriber') return 'other';
        return `${row.getAttribute('data-type')}${row.getAttribute('data-dup') === 'true' ? ' dup' : ''}`;
      }),
    );
    const crashed = story.findIndex((entry) => entry.startsWith('✗ subscriber crashed here'));
    const reloaded = story.findIndex((entry) => entry.startsWith('⟳ page reloaded here'));
    expect(crashed).toBeGreaterThan(0);
    expect(reloaded).toBeGreaterThan(crashed);
    expect(story.slice(0, crashed).filter((entry) => entry === 'publish')).toHaveLength(3);
    expect(story.slice(0, crashed)).not.toContain(ack);
    expect(story.slice(reloaded).filter((entry) => entry === 'publish dup')).toHaveLength(3);
    expect(story.slice(reloaded).filter((entry) => entry === ack)).toHaveLength(3);
    await page.screenshot({ path: testInfo.outputPath(`demo-subscriber-crash-qos${qos}.png`), fullPage: true });
  });
}

test('the demo opened twice (a duplicated tab: the same sessions): one tab owns the connection, the other says so, and both publish', async ({ browser }) => {
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    await open(first);
    await expect(first.locator('#owner')).toHaveText(/this tab owns it/);
    const ids = await first.evaluate(() => sessionStorage.getItem('courier-demo:ids'));
    const second = await context.newPage();
    await second.addInitScript((saved) => sessionStorage.setItem('courier-demo:ids', saved!), ids);
    await open(second);
    await expect(second.locator('#owner')).toHaveText(/another tab of this session owns it/);
    await pick(second, 1, 1);
    await second.click('#publish');
    await expect(count(second, 1, 'delivered')).toHaveText('1');
    await first.close();
    await expect(second.locator('#owner')).toHaveText(/this tab owns it/, { timeout: 5_000 });
  } finally {
    await context.close();
  }
});
