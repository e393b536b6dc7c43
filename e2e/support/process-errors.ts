// A process-level detector for what must never happen, whatever a peer sends: an unhandled
// promise rejection or an uncaught exception. Installed for a test file; each test checks it.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** Records every unhandled rejection and uncaught exception while the test file runs. */
export function detectProcessErrors(): unknown[] {
  const errors: unknown[] = [];
  const record = (error: unknown): void => {
    errors.push(error);
  };
  beforeAll(() => {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  });
  afterAll(() => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });
  afterEach(async () => {
    // A rejection is reported as unhandled once the microtasks after it have run.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors.splice(0), 'unhandled rejections and uncaught exceptions').toEqual([]);
  });
  return errors;
}
