// The demo restarted under an open page (Ctrl-C, then `npm start` again on the same ports): the
// page's clients reconnect to the new broker, the packet stream comes back with a marker saying
// that the packets in between are not drawn, and the diagram goes on drawing instead of freezing.
import { expect, test } from '@playwright/test';
import type { ChildScript } from '../support/child-process';
import { demoAddresses, startDemoProcess } from '../support/demo-process';
import { freePort } from '../support/free-port';

let demo: ChildScript | undefined;
test.afterAll(async () => {
  if (demo !== undefined) expect(await demo.interrupt(), demo.errors).toBe(0);
});

test('after the demo and its broker restart, the page reconnects and the diagram goes on', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const ports = ['--port', String(await freePort()), '--ws-port', String(await freePort()), '--http-port', String(await freePort())];
  demo = startDemoProcess(['--page-only', ...ports]);
  const { pageUrl } = await demoAddresses(demo, 45_000);
  await page.goto(pageUrl);
  await expect(page.locator('#publish')).toBeEnabled({ timeout: 20_000 });
  await page.click('#publish');
  const acks = page.locator('#diagram g.row[data-role="publisher"][data-type="puback"]');
  await expect(acks).toHaveCount(1);

  expect(await demo.interrupt(), demo.errors).toBe(0);
  demo = startDemoProcess(['--page-only', ...ports]);
  await demoAddresses(demo, 45_000);

  // The new broker has no session for the page's clients: they say so, and the stream is back.
  await expect(page.locator('#log')).toContainText('publisher: reconnected, session lost (the broker forgot it)', { timeout: 30_000 });
  await expect(page.locator('#diagram g.row.marker .label')).toHaveText('⟳ packet stream back: packets meanwhile not drawn', { timeout: 30_000 });
  await page.click('#publish');
  await expect(acks).toHaveCount(2, { timeout: 15_000 });
  const order = await page.locator('#diagram g.row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
  expect(order.lastIndexOf('puback')).toBeGreaterThan(order.indexOf('marker'));
  await page.screenshot({ path: testInfo.outputPath('demo-restart.png'), fullPage: true });
});
