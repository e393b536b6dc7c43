/** How long to wait before reconnecting: the client's `reconnect` option. */
export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /**
   * How long a connection must stay up for the backoff to start over (default 10 s). A broker
   * that accepts and drops at once (a cluster that lost a node) is backed off like one that
   * refuses, not reconnected to several times a second.
   */
  stableAfterMs: number;
}

/**
 * Exponential backoff with full jitter: a uniformly random delay below an exponentially growing,
 * bounded ceiling, so that many clients cut off together do not reconnect together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
