// The demo process (`npm start -- --page-only`) for a spec file's tests, and the page's controls.
import { expect, type Page, test } from '@playwright/test';
import type { ChildScript } from '../../support/child-process';
import { demoAddresses, startDemoProcess } from '../../support/demo-process';

/** Starts the demo before the file's tests and stops it (Ctrl-C, exit 0) after; returns the page's URL. */
export function useDemo(): () => string {
  let demo: ChildScript;
  let pageUrl: string;
  test.beforeAll(async () => {
    demo = startDemoProcess(['--page-only']);
    ({ pageUrl } = await demoAddresses(demo, 45_000));
  });
  test.afterAll(async () => {
    expect(await demo.interrupt(), demo.errors).toBe(0);
  });
  return () => pageUrl;
}

/** Picks the publish and subscription QoS, and waits for the new subscription to be granted. */
export async function pick(page: Page, publishQos: number, subscribeQos: number): Promise<void> {
  await page.check(`input[name="pub-qos"][value="${publishQos}"]`);
  const subscription = page.locator(`input[name="sub-qos"][value="${subscribeQos}"]`);
  if (await subscription.isChecked()) return;
  const subscribed = page.locator('#log li', { hasText: `subscribed at QoS ${subscribeQos}` });
  const before = await subscribed.count();
  await subscription.check();
  await expect(subscribed).toHaveCount(before + 1);
}
