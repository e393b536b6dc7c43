// The README's web page quick start, as printed (only the broker's address changed), in
// Chromium with the built standalone module beside it, against the reference broker.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { expect, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import { readmeBlock, repository } from '../support/readme';

let broker: Broker;
let server: Server;

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  const html = readmeBlock('### A web page', 'html').replace('ws://127.0.0.1:8083/mqtt', `ws://127.0.0.1:${broker.wsPort}/mqtt`);
  const standalone = readFileSync(`${repository}packages/browser-transport/dist/standalone.mjs`);
  server = createServer((request, response) => {
    if (request.url === '/courier.mjs') response.writeHead(200, { 'content-type': 'text/javascript' }).end(standalone);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body>${html}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await broker.close();
});

test('the README quick start for a web page runs from a plain script tag and shows the alert', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  await expect(page.locator('body')).toHaveText('alerts/door: open');
  expect(errors).toEqual([]);
});
