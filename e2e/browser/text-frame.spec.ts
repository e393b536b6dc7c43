// A server that answers in a WebSocket text frame is not speaking MQTT [MQTT-6.0.0-1]: in
// Chromium, @courier/browser closes the connection instead of decoding the text as packets (a
// CONNACK sent as text must not connect).
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { WebSocketServer } from 'ws';
import { type PageServer, startPageServer } from './support/page-server';

let server: WebSocketServer;
let pages: PageServer;

test.beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'mqtt' });
  await new Promise((resolve) => server.once('listening', resolve));
  // CONNACK, session not present, accepted: the right bytes in the wrong kind of frame.
  server.on('connection', (socket) => socket.once('message', () => socket.send(String.fromCharCode(0x20, 0x02, 0x00, 0x00))));
  pages = await startPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await new Promise((resolve) => server.close(resolve));
});

test('a CONNACK in a text frame does not connect: the connection fails with ERR_CONNECTION', async ({ page }) => {
  await page.goto(pages.url);
  await expect(page.locator('#status')).toHaveText('ready');
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/mqtt`;
  const outcome = await page.evaluate((u) => (window as never as { courierTest: { connectOnce(url: string): Promise<string> } }).courierTest.connectOnce(u), url);
  expect(outcome).toMatch(/^ERR_CONNECTION .*text frame/);
});
