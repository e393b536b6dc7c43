// The receiving side's crash. The page's subscriber runs with manualAcks: it acknowledges a
// message (PUBACK at QoS 1, PUBREC at QoS 2) only once the page has processed it (counted it).
// This scenario has it take messages in hand and reloads the page, as a crash would, before it
// processes or acknowledges them. The broker has no ack for them, so they are still the broker's:
// after the reload it sends them again (DUP=1) and they are processed then. Nothing is lost.
// Which messages were in hand is kept in sessionStorage, so that the reloaded page can say when
// each comes back.

const KEY = 'courier-demo:in-hand';

/** Holds messages back from processing until the crash, and follows them across the reload. */
export class SubscriberCrash {
  /** How many more messages to take in hand (0: process everything as it comes). */
  private toHold = 0;
  private readonly inHand: number[] = [];
  private allInHand: (() => void) | undefined;
  /** Messages that were in hand at the crash and have not come back yet. */
  private readonly owed: Set<number>;

  constructor(private readonly log: (text: string) => void) {
    const saved = sessionStorage.getItem(KEY);
    this.owed = new Set(saved === null ? [] : (JSON.parse(saved) as number[]));
  }

  /** After a reload: which messages the crash interrupted, and what happens to them now. */
  reportRestart(): void {
    if (this.owed.size === 0) return;
    const names = [...this.owed].map((n) => `#${n}`).join(' ');
    this.log(
      `the subscriber crashed (reloaded) with ${names} in hand: taken, not yet processed, never acknowledged. ` +
        'The broker never got their PUBACK or PUBREC, so they are still its to deliver: it sends them again now (DUP=1)',
    );
  }

  /** Takes the next `count` messages in hand; resolves once they have all arrived. */
  hold(count: number): Promise<void> {
    this.toHold = count;
    this.inHand.length = 0;
    return new Promise((resolve) => (this.allInHand = resolve));
  }

  /**
   * Called with each message the subscriber's application gets. True: it is taken in hand, and
   * neither processed nor acknowledged (the crash comes first).
   */
  take(n: number, qos: number): boolean {
    if (this.toHold === 0) return false;
    this.toHold -= 1;
    this.inHand.push(n);
    this.log(`subscriber: #${n} (QoS ${qos}) in hand, processing… no ack sent yet`);
    if (this.toHold === 0) this.allInHand?.();
    return true;
  }

  /** Called once a message is processed and acknowledged: says so when the crash had interrupted it. */
  processed(n: number): void {
    if (!this.owed.delete(n)) return;
    this.log(`#${n} came again from the broker after the crash, is processed now and acknowledged`);
    if (this.owed.size === 0) this.log('every message the crash interrupted was delivered again: nothing lost');
    this.save();
  }

  /** The crash: keeps what is in hand for the reloaded page, and reloads. */
  crash(): void {
    for (const n of this.inHand) this.owed.add(n);
    this.save();
    location.reload();
  }

  private save(): void {
    if (this.owed.size === 0) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, JSON.stringify([...this.owed]));
  }
}
