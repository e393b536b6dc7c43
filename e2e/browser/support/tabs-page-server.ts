// The tabs test page and its SharedWorker, built from the sources of @courier/browser (the
// "@courier/source" condition, so that no stale dist/ is tested).
import { fileURLToPath } from 'node:url';
import { type PageServer, startPageServer } from './page-server';

export function startTabsPageServer(): Promise<PageServer> {
  return startPageServer({
    dir: fileURLToPath(new URL('../tabs-page/', import.meta.url)),
    entries: { 'tabs-app': 'tabs-app.ts', 'tabs-worker': 'tabs-worker.ts' },
    conditions: ['@courier/source'],
  });
}
