// Sent / delivered / duplicates per published QoS, kept in sessionStorage so that the counts
// outlive a reload of the tab: after one, the outbox's deliveries add to what was sent before.
type QoS = 0 | 1 | 2;

interface State {
  /** The next message number (the payload): unique within the tab's session. */
  next: number;
  sent: [number, number, number];
  /** Per message number: the QoS it was published at, and how many times it arrived. */
  arrived: Record<number, [QoS, number]>;
}

const KEY = 'courier-demo:counts';

function load(): State {
  const saved = sessionStorage.getItem(KEY);
  return saved === null ? { next: 1, sent: [0, 0, 0], arrived: {} } : (JSON.parse(saved) as State);
}

/** The counts, and the table that shows them (rows `tr[data-qos]`, cells `td.sent` etc.). */
export class DeliveryCounts {
  private readonly state = load();

  constructor(private readonly table: HTMLTableElement) {
    this.render();
  }

  /** Counts a message about to be published; returns its number. */
  sent(qos: QoS): number {
    const n = this.state.next++;
    this.state.sent[qos] += 1;
    this.save();
    return n;
  }

  /** Counts an arrival at the subscriber of message `n`, published at `qos`. */
  arrived(n: number, qos: QoS): void {
    const seen = this.state.arrived[n];
    this.state.arrived[n] = [qos, (seen?.[1] ?? 0) + 1];
    this.save();
  }

  private save(): void {
    sessionStorage.setItem(KEY, JSON.stringify(this.state));
    this.render();
  }

  private render(): void {
    const delivered = [0, 0, 0];
    const duplicates = [0, 0, 0];
    for (const [qos, times] of Object.values(this.state.arrived)) {
      delivered[qos] += 1;
      duplicates[qos] += times - 1;
    }
    for (const qos of [0, 1, 2] as const) {
      const row = this.table.querySelector(`tr[data-qos="${qos}"]`)!;
      row.querySelector('.sent')!.textContent = String(this.state.sent[qos]);
      row.querySelector('.delivered')!.textContent = String(delivered[qos]);
      row.querySelector('.duplicates')!.textContent = String(duplicates[qos]);
    }
  }
}
