// Credentials and enhanced authentication in Chromium, from the built @courier/browser as a web
// app bundles it (its lazily loaded modules included): SCRAM-SHA-256 on Web Crypto with a
// re-authentication, a wrong password refused, and beforeConnect sending the attempt to the URL it
// answers (a pre-signed WebSocket URL, say) with a fresh token.
import { expect, type Page, test } from '@playwright/test';
import { type Broker, createBroker, scramSha256Authenticator, scramUsers } from '@courier/broker';
import { type PageServer, startPageServer } from './support/page-server';

let broker: Broker;
let pages: PageServer;
const tokens: string[] = [];

test.beforeAll(async () => {
  broker = await createBroker({
    port: 0,
    wsPort: 0,
    authenticate: ({ username, password }) => {
      const token = new TextDecoder().decode(password);
      tokens.push(token);
      return username === 'page' && token.startsWith('token-');
    },
    enhancedAuthenticators: { 'SCRAM-SHA-256': scramSha256Authenticator(scramUsers({ alice: 'correct horse battery staple' })) },
  });
  pages = await startPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await broker.close();
});

type AuthCalls = { connectWithScram(url: string, username: string, password: string): Promise<string>; connectWithFreshToken(configured: string, answered: string): Promise<string> };

async function open(page: Page): Promise<void> {
  await page.goto(pages.url);
  await expect(page.locator('#status')).toHaveText('ready');
}

test('SCRAM-SHA-256 connects and re-authenticates from the page; a wrong password is refused with 0x86', async ({ page }) => {
  await open(page);
  const url = `ws://127.0.0.1:${broker.wsPort}/mqtt`;
  const scram = (username: string, password: string) =>
    page.evaluate(([u, n, p]) => (window as never as { courierAuthTest: AuthCalls }).courierAuthTest.connectWithScram(u!, n!, p!), [url, username, password]);
  expect(await scram('alice', 'correct horse battery staple')).toBe('connected and re-authenticated');
  expect(await scram('alice', 'wrong')).toBe('ERR_CONNECT_REFUSED 134');
});

test('beforeConnect sends the attempt to the URL it answers, with its token; the connect event names the configured URL', async ({ page }) => {
  await open(page);
  const configured = 'ws://127.0.0.1:9/mqtt';
  const answered = `ws://127.0.0.1:${broker.wsPort}/mqtt?signature=secret`;
  const outcome = await page.evaluate(([c, a]) => (window as never as { courierAuthTest: AuthCalls }).courierAuthTest.connectWithFreshToken(c!, a!), [configured, answered]);
  expect(outcome).toBe(`connected with token-1, reported as ${configured}`);
  expect(tokens).toContain('token-1');
});
