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

  constructor(readonly total: number) {
    this.settlements = new Uint8Array(total);
  }

  /** Messages handed to publish() so far. */
  get issued(): number {
    return this.next;
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
        while (this.outstanding < window && this.next < this.total && !(paced && batch++ === QOS0_BATCH)) {
          const i = this.next++;
          this.outstanding++;
          client.publish(topic, String(i), { qos }).then(
            (result) => this.settled(i, result.id),
            (error: unknown) => {
              this.rejections.set(i, error);
              this.settled(i, undefined);
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
      pump();
    });
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

  private settled(i: number, id: number | undefined): void {
    this.settlements[i]++;
    if (id === undefined) return;
    if (this.resultIds.has(id)) this.duplicateResultIds++;
    this.resultIds.add(id);
  }
}
