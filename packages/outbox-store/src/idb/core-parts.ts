import type { OutboxError, applyOutboxUpdate } from '@courier/core';

/**
 * What the IndexedDB outbox uses of `@courier/core` at run time, handed in rather than imported:
 * a web app loads this code with import() when its outbox opens, and a lazily loaded module that
 * imported the core would make the bundler split the core off the app's start into a chunk of
 * its own (one more request, and 0.65 KB more gzip at start, measured on 2026-12-07).
 */
export interface CoreParts {
  OutboxError: typeof OutboxError;
  applyOutboxUpdate: typeof applyOutboxUpdate;
}
