import { createClient } from '../create-client';
import { partsOf } from './core-parts';
import { sharingParts } from './sharing-parts';
import { startOwner } from './start-owner';
import { serveWorkerSessions } from './worker-session';

/**
 * Serves the shared sessions of the tabs that connect to this SharedWorker: call it in the
 * worker's script (see `sharedWorker` in the options of `createClient`).
 * @example
 * ```ts
 * // courier-worker.ts, loaded with new SharedWorker(new URL('./courier-worker.ts', import.meta.url), { type: 'module' })
 * import { serveSharedSessions } from '@courier/browser';
 * serveSharedSessions();
 * ```
 */
export function serveSharedSessions(): void {
  serveWorkerSessions(globalThis as unknown as { onconnect: ((event: MessageEvent) => void) | null }, (port, id, join) =>
    startOwner(partsOf(sharingParts(createClient)), port, id, join.urls, join.options, join.outbox),
  );
}
