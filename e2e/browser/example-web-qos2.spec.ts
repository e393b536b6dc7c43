// examples/web-qos2, built with Vite as a user builds it and served by `vite preview`, in
// Chromium against the reference broker: a QoS 2 message is shown once, also when the broker
// sends it again (DUP=1) because the connection was cut before it got the page's PUBREC.
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { build, preview, type PreviewServer } from 'vite';
import { type Broker, createBroker, type TapEvent } from '@courier/broker';
import { connect } from '@courier/node';

const root = fileURLToPath(new URL('../../examples/web-qos2/', import.meta.url));
let broker: Broker;
let server: PreviewServer;

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  await build({ root, logLevel: 'warn' });
  server = await preview({ root, logLevel: 'warn', preview: { port: 0, strictPort: false } });
});
test.afterAll(async () => {
  await server?.close();
  await broker?.close();
});

test('the Vite QoS 2 example shows a message once, though the broker delivered it twice', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const events: TapEvent[] = [];
  broker.tap((event) => {
    if (event.clientId === 'web-example') events.push(event);
  });
  const address = `${server.resolvedUrls!.local[0]}?broker=ws://127.0.0.1:${broker.wsPort}/mqtt&clientId=web-example`;
  await page.goto(address);
  // Generous timeouts: 2 cores shared with other test processes can make a page load slow.
  await expect(page.locator('#status')).toHaveText('connected', { timeout: 20_000 });
  await expect.poll(() => events.some((e) => e.packet.type === 'suback'), { timeout: 10_000 }).toBe(true);

  // The broker closes the connection instead of reading the page's PUBREC: on reconnect it
  // sends the PUBLISH again with DUP=1 [MQTT-4.4.0-1] [MQTT-3.3.1-1], which the page must
  // acknowledge without showing it twice [MQTT-4.3.3-10].
  broker.inject({ clientId: 'web-example', direction: 'in', type: 'pubrec', action: 'cut-before' });
  const publisher = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'web-example-publisher' });
  await publisher.publish('alerts/door', 'open', { qos: 2 });
  await publisher.end();

  await expect.poll(() => events.some((e) => e.direction === 'in' && e.packet.type === 'pubcomp'), { timeout: 20_000 }).toBe(true);
  const resent = events.filter((e) => e.direction === 'out' && e.packet.type === 'publish');
  expect(resent.map((e) => e.packet.type === 'publish' && e.packet.dup)).toEqual([false, true]);
  await expect(page.locator('#messages li')).toHaveText(['alerts/door: open (QoS 2)']);
  await expect(page.locator('#count')).toHaveText('1');

  // The page's own form publishes at QoS 2 too, and its subscription receives it once.
  await page.locator('#payload').fill('closed');
  await page.getByRole('button', { name: 'Publish at QoS 2' }).click();
  await expect(page.locator('#messages li')).toHaveText(['alerts/door: open (QoS 2)', 'alerts/door: closed (QoS 2)'], { timeout: 15_000 });
  expect(errors).toEqual([]);
});
