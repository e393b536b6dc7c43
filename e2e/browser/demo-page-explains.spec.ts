// The demo page explains what it draws, at a phone's width (360 px) and a desktop's (1280 px):
// it fits the screen with readable labels, a legend and hover text say what each packet is for,
// packet ids are per link, rows carry the message they belong to, the view follows new rows, the
// seed's downgrade table fills in from what was observed, and a QoS 0 cut is called lost, with no
// resend claimed. Screenshots go to test-results/ (gitignored), as artifacts.
import { expect, type Page, test } from '@playwright/test';
import { pick, useDemo } from './support/demo-page';

const pageUrl = useDemo();

async function open(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 800 });
  await page.goto(pageUrl());
  await expect(page.locator('#publish')).toBeEnabled({ timeout: 20_000 });
}

const row = (page: Page, role: string, type: string) => page.locator(`#diagram g.row[data-role="${role}"][data-type="${type}"]`);

for (const width of [360, 1280]) {
  test(`at ${width} px the page fits, the diagram is readable and follows new rows, and the legend explains each packet`, async ({ page }, testInfo) => {
    await open(page, width);
    await pick(page, 2, 2);
    for (let k = 0; k < 6; k++) await page.click('#publish');
    await expect(row(page, 'subscriber', 'pubcomp')).toHaveCount(6);

    await expect(page.locator('meta[name="viewport"]')).toHaveAttribute('content', 'width=device-width, initial-scale=1');
    // Nothing wider than the screen but the diagram, which scrolls inside its own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const label = await row(page, 'publisher', 'pubrec').first().locator('.label').boundingBox();
    expect(label!.height, 'a label is drawn at a readable size').toBeGreaterThanOrEqual(10);
    const item = await page.locator('#log li').last().boundingBox();
    expect(item!.width, 'the log keeps its text, not just its numbers').toBeGreaterThan(250);
    // The diagram is on the first screen, and its newest row is in view inside it.
    const view = (await page.locator('#diagram-view').boundingBox())!;
    expect(view.y).toBeLessThan(800);
    const last = (await page.locator('#diagram g.row').last().boundingBox())!;
    expect(last.y + last.height).toBeLessThanOrEqual(view.y + view.height + 1);
    expect(last.y).toBeGreaterThanOrEqual(view.y);

    await expect(page.locator('#note-pubrec')).toContainText('promises not to deliver it again');
    await expect(page.locator('#note-pubrel')).toContainText('It exists because without it the receiver could not tell');
    await expect(page.locator('#note-dup')).toContainText('this PUBLISH may have been sent before');
    await expect(page.locator('#note-ids')).toContainText('Packet ids are per link');
    await page.screenshot({ path: testInfo.outputPath(`demo-${width}px.png`), fullPage: true });
  });
}

test('each row says what its packet is for, on which link its id counts, and which message it carries', async ({ page }) => {
  await open(page, 1280);
  await pick(page, 2, 2);
  await page.click('#clear');
  await page.click('#publish');
  await expect(row(page, 'subscriber', 'pubcomp')).toHaveCount(1);
  const message = await row(page, 'publisher', 'publish').getAttribute('data-message');
  expect(message).toMatch(/^#\d+$/);
  for (const role of ['publisher', 'subscriber']) {
    for (const type of ['publish', 'pubrec', 'pubrel', 'pubcomp']) {
      await expect(row(page, role, type), `${role} ${type}`).toHaveAttribute('data-message', message!);
      await expect(row(page, role, type).locator('.tag')).toHaveText(message!);
    }
  }
  const id = (await row(page, 'publisher', 'pubrec').locator('.label').textContent())!.match(/id (\d+)/)![1];
  const pubrec = row(page, 'publisher', 'pubrec').locator('title');
  await expect(pubrec).toContainText('PUBREC is step 2 of 4 at QoS 2');
  await expect(pubrec).toContainText(`Packet id ${id} on the publisher's link`);
  await expect(row(page, 'subscriber', 'pubrel').locator('title')).toContainText('PUBREL is step 3 of 4');
});

test('a click on a row follows its message alone; another click shows them all', async ({ page }) => {
  await open(page, 1280);
  await pick(page, 1, 1);
  await page.click('#clear');
  await page.click('#publish');
  await expect(row(page, 'subscriber', 'puback')).toHaveCount(1);
  await page.click('#publish');
  await expect(row(page, 'subscriber', 'puback')).toHaveCount(2);
  const [first, second] = await row(page, 'publisher', 'publish').evaluateAll((rows) => rows.map((each) => each.getAttribute('data-message')));
  await row(page, 'subscriber', 'puback').last().click();
  await expect(page.locator(`#diagram g.row[data-message="${second}"].faded`)).toHaveCount(0);
  await expect(page.locator(`#diagram g.row[data-message="${first}"]:not(.faded)`)).toHaveCount(0);
  await expect(page.locator(`#diagram g.row[data-message="${first}"]`)).toHaveCount(4);
  await row(page, 'subscriber', 'puback').last().click();
  await expect(page.locator('#diagram g.row.faded')).toHaveCount(0);
});

test('Step shows the rows one at a time in order, Replay plays them all again', async ({ page }) => {
  await open(page, 1280);
  await pick(page, 2, 2);
  await page.click('#clear');
  await page.click('#publish');
  await expect(row(page, 'subscriber', 'pubcomp')).toHaveCount(1);
  const all = await page.locator('#diagram g.row').count();
  const visible = page.locator('#diagram g.row:visible');
  await page.click('#step');
  await expect(visible).toHaveCount(1);
  await expect(page.locator('#step-status')).toHaveText(`row 1 of ${all}`);
  await page.click('#step');
  await expect(visible).toHaveCount(2);
  await expect(page.locator('#diagram g.row.shown').last()).toHaveAttribute('data-type', (await page.locator('#diagram g.row').nth(1).getAttribute('data-type'))!);
  await page.click('#replay');
  await expect(page.locator('#step-status')).toHaveText(`row ${all} of ${all}`, { timeout: 15_000 });
  await expect(visible).toHaveCount(all);
});

test('the downgrade table fills in from what the subscriber received, the current choice highlighted', async ({ page }) => {
  await open(page, 1280);
  await expect(page.locator('#downgrade tbody tr')).toHaveCount(9);
  await pick(page, 2, 1);
  await page.click('#publish');
  const observed = page.locator('#downgrade tr[data-published="2"][data-subscribed="1"]');
  await expect(observed.locator('.seen')).toHaveText('QoS 1 ✓ (1 message)');
  await expect(observed).toHaveClass(/current/);
  await expect(page.locator('#downgrade tr.current')).toHaveCount(1);
  await expect(page.locator('#downgrade tr[data-published="0"][data-subscribed="2"] .seen')).toHaveText('not tried yet');
  await pick(page, 0, 2);
  await expect(page.locator('#downgrade tr[data-published="0"][data-subscribed="2"]')).toHaveClass(/current/);
});

test('a cut at QoS 0 is a loss: the PUBLISH is marked lost, and nothing claims a resend', async ({ page }) => {
  await open(page, 1280);
  await pick(page, 0, 2);
  await page.click('#clear');
  await page.click('#cut');
  await expect(page.locator('#diagram g.row.cut')).toHaveCount(1);
  await expect(page.locator('#diagram g.row.dropped .fault-note')).toHaveText('✗ lost: QoS 0 is never resent');
  await expect(page.locator('#log')).toContainText('publisher: reconnected, session present; nothing owed, so nothing is resent', { timeout: 10_000 });
  await expect(page.locator('#log')).not.toContainText('DUP=1, under');
  await expect(page.locator('#diagram g.row[data-dup="true"]')).toHaveCount(0);
});

test('a cut at QoS 1: the message is owed, not lost, and goes again with DUP=1', async ({ page }) => {
  await open(page, 1280);
  await pick(page, 1, 2);
  await page.click('#clear');
  await page.click('#cut');
  await expect(page.locator('#diagram g.row.dropped .fault-note')).toHaveText(/^✗ never sent/);
  await expect(page.locator('#log')).toContainText('publisher: reconnected, session present; 1 owed message goes again with DUP=1, under the same packet id', { timeout: 10_000 });
  await expect(row(page, 'publisher', 'publish').and(page.locator('[data-dup="true"]'))).toHaveCount(1);
});
