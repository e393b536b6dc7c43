import type { MqttClient, QoS } from '@courier/node';

const QOS0_BATCH = 20;

/**
 * Publishes messages numbered 0..total-1 (the number is the payload) with at most `window`
 * promises outstanding, and keeps the books on how each promise settled: once, never or twice,
 * resolved or rejected, and with which message id.
 */
export class PublishLedger {
  /** How many times each message's promise settled. */
  readonly settlements: Uint8Array;
  readonly rejections = new Map<number, unknown>();
  private readonly resultIds = new Set<number>();
  private duplicateResultIds = 0;
  private next = 0;
  private outstanding = 0;
  private settledCount = 0;
  /** Called after each settlement, with the books already updated. */
  onSettled: (() => void) | undefined;
  /** When set, how many messages may have been issued by now; call `resume()` when it grows. */
  issueLimit: (() => number) | undefined;
  private pump: (() => void) | undefined;

  constructor(readonly total: number) {
    this.settlements = new Uint8Array(total);
  }

  /** Messages handed to publish() so far. */
  get issued(): number {
    return this.next;
  }

  /** Settlements so far (a promise settled twice counts twice). */
  get settled(): number {
    return this.settledCount;
  }

  /**
   * Publishes them all; resolves once every promise settled, or after `timeoutMs` with some
   * still unsettled (see `unsettled`).
   */
  publishAll(client: MqttClient, topic: string, qos: QoS, window: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      // QoS 0 settles as soon as the transport has the bytes: unpaced, the whole run would be
      // written out in one go, before the network had a chance to fail any of it. So QoS 0 goes
      // out QOS0_BATCH messages a millisecond; QoS 1 and 2 are paced by their acks.
      const paced = qos === 0;
      const pump = () => {
        let batch = 0;
        const limit = Math.min(this.total, this.issueLimit?.() ?? this.total);
        while (this.outstanding < window && this.next < limit && !(paced && batch++ === QOS0_BATCH)) {
          const i = this.next++;
          this.outstanding++;
          client.publish(topic, String(i), { qos }).then(
            (result) => this.record(i, result.id),
            (error: unknown) => {
              this.rejections.set(i, error);
              this.record(i, undefined);
            },
          ).finally(() => {
            this.outstanding--;
            if (this.next === this.total && this.outstanding === 0) {
              clearTimeout(timer);
              resolve();
            } else if (!paced) {
              pump();
            }
          });
        }
        if (paced && this.next < this.total) setTimeout(pump, 1);
      };
      this.pump = pump;
      pump();
    });
  }

  /** Issues what `issueLimit` now allows, if publishAll is running and below its window. */
  resume(): void {
    this.pump?.();
  }

  /** Messages whose promise never settled. */
  unsettled(): number[] {
    const found: number[] = [];
    for (let i = 0; i < this.total; i++) if (this.settlements[i] === 0) found.push(i);
    return found;
  }

  /** Messages whose promise settled more than once, and results that carried an id already seen. */
  settledTwice(): number {
    let twice = this.duplicateResultIds;
    for (const n of this.settlements) if (n > 1) twice++;
    return twice;
  }

  private record(i: number, id: number | undefined): void {
    this.settlements[i]++;
    this.settledCount++;
    if (id !== undefined) {
      if (this.resultIds.has(id)) this.duplicateResultIds++;
      this.resultIds.add(id);
    }
    this.onSettled?.();
  }
}
