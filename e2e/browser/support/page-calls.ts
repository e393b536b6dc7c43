// Opening the test page (e2e/browser/page) and calling what it offers on window.courierTest.
import { type Browser, expect, type Page } from '@playwright/test';

type CourierTest = Record<string, (...args: never[]) => Promise<unknown>>;

/** A page at `url` whose reports ("done 5", ...) land in `lines`; exposed functions survive reloads. */
export async function openPage(browser: Browser, url: string, lines: string[]): Promise<Page> {
  const page = await browser.newPage();
  await page.exposeFunction('report', (line: string) => lines.push(line));
  await page.goto(url);
  await expect(page.locator('#status')).toHaveText('ready');
  return page;
}

/** Calls window.courierTest[name](...args) in the page. */
export function call<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([n, a]) => ((window as never as { courierTest: CourierTest }).courierTest[n as string] as (...x: unknown[]) => Promise<T>)(...(a as unknown[])), [name, args] as const);
}
