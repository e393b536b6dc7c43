// The tabs test page and its SharedWorker, built from the sources of @courier/browser (the
// "@courier/source" condition, so that no stale dist/ is tested).
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { type PageServer, startPageServer } from './page-server';

export function startTabsPageServer(): Promise<PageServer> {
  return startPageServer({
    dir: fileURLToPath(new URL('../tabs-page/', import.meta.url)),
    entries: { 'tabs-app': 'tabs-app.ts', 'tabs-worker': 'tabs-worker.ts' },
    conditions: ['@courier/source'],
  });
}

/** Calls `window.courierTabs[name](...args)` in the tabs page (tabs-page/tabs-app.ts). */
export function tabs<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([n, a]) => ((window as never as { courierTabs: Record<string, (...x: unknown[]) => T> }).courierTabs[n as string]!)(...(a as unknown[])),
    [name, args] as const,
  );
}
