// Credentials in a ws:// URL, in Chromium: they reach the broker in CONNECT (as with
// @courier/node), and an unparsable URL's error message does not repeat the password.
import { expect, type Page, test } from '@playwright/test';
import { type AuthenticateRequest, type Broker, createBroker } from '@courier/broker';
import { type PageServer, startPageServer } from './support/page-server';

let broker: Broker;
let pages: PageServer;
const seen: AuthenticateRequest[] = [];

test.beforeAll(async () => {
  broker = await createBroker({
    port: 0,
    wsPort: 0,
    authenticate: (request) => {
      seen.push(request);
      return request.username === 'reader' && new TextDecoder().decode(request.password) === 'p@ss:w0rd';
    },
  });
  pages = await startPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await broker.close();
});

async function connectOnce(page: Page, url: string): Promise<string> {
  await page.goto(pages.url);
  await expect(page.locator('#status')).toHaveText('ready');
  return page.evaluate((u) => (window as never as { courierTest: { connectOnce(url: string): Promise<string> } }).courierTest.connectOnce(u), url);
}

test('a user name and password in the URL are sent in CONNECT, decoded', async ({ page }) => {
  const outcome = await connectOnce(page, `ws://reader:${encodeURIComponent('p@ss:w0rd')}@127.0.0.1:${broker.wsPort}/mqtt`);
  expect(outcome).toBe('connected');
  expect(seen.map(({ username }) => username)).toEqual(['reader']);
});

test('a list of URLs: the first where nothing listens is passed over, and connect says which one it reached', async ({ page }) => {
  await page.goto(pages.url);
  await expect(page.locator('#status')).toHaveText('ready');
  const live = `ws://reader:${encodeURIComponent('p@ss:w0rd')}@127.0.0.1:${broker.wsPort}/mqtt`;
  const outcome = await page.evaluate(
    (urls) => (window as never as { courierTest: { connectToOneOf(urls: string[]): Promise<string> } }).courierTest.connectToOneOf(urls),
    ['ws://127.0.0.1:9/mqtt', live],
  );
  expect(outcome).toBe(`connected to ws://127.0.0.1:${broker.wsPort}/mqtt`); // without the credentials
});

test('an unparsable URL is ERR_INVALID_ARGUMENT without the password in its message', async ({ page }) => {
  const outcome = await connectOnce(page, 'ws://reader:hunter2-secret@[::1');
  expect(outcome).toMatch(/^ERR_INVALID_ARGUMENT /);
  expect(outcome).not.toContain('hunter2-secret');
});
