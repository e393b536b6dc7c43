/**
 * Publishes `count` messages keeping at most `window` unacknowledged: each settlement sends the
 * next. Shared by bench:outbox in Node and its page in Chromium. (A Promise.race over the
 * outstanding set would attach a reaction to every outstanding publish for each new one.)
 */
export function publishWindowed(publish: () => Promise<unknown>, count: number, window: number): Promise<void> {
  let sent = 0;
  let acked = 0;
  return new Promise<void>((resolve, reject) => {
    const next = (): void => {
      if (acked === count) return resolve();
      if (sent === count) return;
      sent++;
      publish().then(() => {
        acked++;
        next();
      }, reject);
    };
    for (let i = 0; i < window; i++) next();
  });
}
