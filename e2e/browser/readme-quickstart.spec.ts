// The README's web page quick start, as printed (only the broker's address changed), in
// Chromium with the built standalone module beside it, against the reference broker.
import { expect, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import { serveWebQuickStart } from '../support/web-quickstart-server';

let broker: Broker;
let server: Awaited<ReturnType<typeof serveWebQuickStart>>;

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  server = await serveWebQuickStart(broker.wsPort!);
});
test.afterAll(async () => {
  await server.close();
  await broker.close();
});

test('the README quick start for a web page runs from a plain script tag and shows the alert', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server.url);
  await expect(page.locator('body')).toHaveText('alerts/door: open');
  expect(errors).toEqual([]);
});
