// In Chromium, @courier/browser sends each MQTT packet in a WebSocket message of its own unless
// told to coalesce: brokers such as Paho's reference broker stall on the rest of a message that
// holds several [MQTT-6.0.0-2].
import { expect, test } from '@playwright/test';
import { type PacketCountingServer, startPacketCountingServer } from '../support/packet-counting-ws-server';
import { type PageServer, startPageServer } from './support/page-server';

let pages: PageServer;
let server: PacketCountingServer | undefined;

test.beforeAll(async () => {
  pages = await startPageServer();
});
test.afterAll(async () => {
  await pages.close();
});
test.afterEach(async () => {
  await server?.close();
  server = undefined;
});

type BurstPage = { courierTest: { publishBurst(url: string, count: number, coalesce: boolean): Promise<void> } };

for (const coalesce of [false, true]) {
  test(`a burst of 20 QoS 1 publishes, coalesceWebSocketMessages: ${coalesce}`, async ({ page }) => {
    server = await startPacketCountingServer();
    await page.goto(pages.url);
    await expect(page.locator('#status')).toHaveText('ready');
    await page.evaluate(([url, c]) => (window as never as BurstPage).courierTest.publishBurst(url, 20, c), [server.url, coalesce] as const);
    await server.connectionClosed();
    const perMessage = server.packetsPerMessage;
    // CONNECT, 20 PUBLISH, DISCONNECT.
    expect(perMessage.reduce((a, b) => a + b, 0)).toBe(22);
    if (coalesce) expect(Math.max(...perMessage)).toBeGreaterThan(1);
    else expect(perMessage.filter((n) => n !== 1)).toEqual([]);
  });
}
