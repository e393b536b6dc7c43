// ws:// pointed at an MQTT over TCP port, in Chromium through @courier/browser: the error says
// that no WebSocket server answered and that a TCP port hangs up like this, with its mqtt:// URL.
import { expect, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import { type PageServer, startPageServer } from './support/page-server';

let broker: Broker;
let pages: PageServer;

test.beforeAll(async () => {
  broker = await createBroker({ port: 0 });
  pages = await startPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await broker.close();
});

test('ws:// at an MQTT over TCP port names the likely mistake', async ({ page }) => {
  await page.goto(pages.url);
  await expect(page.locator('#status')).toHaveText('ready');
  const url = `ws://127.0.0.1:${broker.port}/mqtt`;
  const outcome = await page.evaluate((u) => (window as never as { courierTest: { connectOnce(url: string): Promise<string> } }).courierTest.connectOnce(u), url);
  expect(outcome).toContain(`ERR_CONNECTION`);
  expect(outcome).toContain(`WebSocket connection to ${url} failed (closed with code 1006 before it opened): no WebSocket server answered there.`);
  expect(outcome).toContain(`an MQTT over TCP port (mqtt://127.0.0.1:${broker.port}) hangs up like this`);
});
