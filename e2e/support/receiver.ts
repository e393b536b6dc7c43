import type { Message, MqttClient } from '@courier/node';

/** Counts what a subscriber receives, by the message number in the payload. */
export class Receiver {
  readonly counts = new Map<number, number>();
  readonly qos = new Map<number, number>();
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(client: MqttClient) {
    client.on('message', (message: Message) => this.add(message));
  }

  get distinct(): number {
    return this.counts.size;
  }

  /** Resolves once `count` distinct messages have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.distinct >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${this.distinct} of ${count} messages in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  duplicates(): number[] {
    return [...this.counts].filter(([, n]) => n > 1).map(([id]) => id);
  }

  private add(message: Message): void {
    const id = Number(new TextDecoder().decode(message.payload));
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    this.qos.set(id, message.qos);
    for (const waiter of [...this.waiters]) {
      if (this.distinct >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
