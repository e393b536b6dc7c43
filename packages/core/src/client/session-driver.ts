import type { Packet } from '../codec/packet';
import { MqttError, OutboxError } from '../errors';
import type { Clock, Timer } from '../ports/clock';
import type { Outbox, OutboxChange } from '../ports/outbox-store';
import type { Session } from '../session/session';
import type { ReceivedMessage, SessionAction, SessionEvent, SessionInput, SettleAction } from '../session/session-types';

/** No awaited ids: shared by every outbox write that has none, so none allocates a new `[]`. */
const NO_IDS = Object.freeze([]) as unknown as number[];

/** What the driver does with the session's actions that are not its own (the outbox, the timer). */
export interface DriverEffects {
  /**
   * Sends a packet on the open connection; false when the transport asks us to wait for drain.
   * `onWritten` is called once its bytes are written (or never will be).
   */
  send(packet: Packet, onWritten?: () => void): boolean;
  closeConnection(error: MqttError | undefined): void;
  deliver(message: ReceivedMessage, deliveryId: number): void;
  /** The ack of a delivered message went out, or never will. */
  ackSent(deliveryId: number): void;
  settle(action: SettleAction): void;
  notify(event: SessionEvent): void;
  /** An outbox write failed: reported as an `error` event. */
  outboxFailed(error: MqttError): void;
  /** Ask the application's authenticate handler for a step of enhanced authentication. */
  authenticate(action: SessionAction & { type: 'authenticate' }): void;
}

/**
 * Drives the session: feeds it one input at a time, in order, and carries out the actions it
 * returns, in order. It owns the session's I/O that is not the connection: the outbox writes
 * (one write per input, so the changes of one step are durable together) and the one timer for
 * the session's next deadline.
 */
export class SessionDriver {
  readonly #session: Session;
  readonly #clock: Clock;
  readonly #effects: DriverEffects;
  #outbox: Outbox | undefined;
  readonly #inputs: SessionInput[] = [];
  #dispatching = false;
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #idleWaiter: (() => void) | undefined;

  constructor(session: Session, clock: Clock, effects: DriverEffects) {
    this.#session = session;
    this.#clock = clock;
    this.#effects = effects;
  }

  /** The open outbox, once there is one: writes before that go nowhere (there are none). */
  set outbox(outbox: Outbox) {
    this.#outbox = outbox;
  }

  /** Feeds the session one input at a time, in order, even when an action leads to another input. */
  dispatch(input: SessionInput): void {
    this.#inputs.push(input);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next = this.#inputs.shift(); next !== undefined; next = this.#inputs.shift()) {
        this.#perform(this.#session.handle(next, this.#clock.now()));
      }
    } finally {
      this.#dispatching = false;
    }
    this.#scheduleTimer();
    if (this.#idleWaiter !== undefined && this.#session.isIdle()) this.#idleWaiter();
  }

  /**
   * Resolves once nothing is in flight (at once when nothing is), or after `timeoutMs`;
   * resolves true when it timed out.
   */
  whenIdle(timeoutMs: number | undefined): Promise<boolean> {
    if (this.#session.isIdle()) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timeout =
        timeoutMs === undefined
          ? undefined
          : this.#clock.setTimer(this.#clock.now() + timeoutMs, () => {
              this.#idleWaiter = undefined;
              resolve(true);
            });
      this.#idleWaiter = () => {
        this.#idleWaiter = undefined;
        timeout?.cancel();
        resolve(false);
      };
    });
  }

  /** Stops the session's timer: the client has ended. */
  stop(): void {
    this.#cancelTimer();
  }

  #perform(actions: SessionAction[]): void {
    let changes: OutboxChange[] | undefined;
    let awaitedIds: number[] | undefined;
    let awaitedIncoming: number[] | undefined;
    for (const action of actions) {
      switch (action.type) {
        case 'send': {
          const settle = action.settleWhenWritten;
          // At most once: bytes the closing connection never wrote are lost with it, as those it wrote.
          const onWritten = settle === undefined ? undefined : () => this.#effects.settle(settle);
          if (!this.#effects.send(action.packet, onWritten)) this.#inputs.push({ type: 'transportBlocked' });
          break;
        }
        case 'persist':
        case 'forget': {
          // Literals for the usual single item: `[].push` reserves 17 slots, per input.
          const change = action.change;
          if (changes === undefined) changes = [change];
          else changes.push(change);
          if (action.type === 'persist' && action.awaited) {
            if (change.op === 'putIncoming') {
              if (awaitedIncoming === undefined) awaitedIncoming = [change.packetId];
              else awaitedIncoming.push(change.packetId);
            } else if (change.op === 'put' || change.op === 'update') {
              const id = change.op === 'put' ? change.record.id : change.id;
              if (awaitedIds === undefined) awaitedIds = [id];
              else awaitedIds.push(id);
            }
          }
          break;
        }
        case 'deliver':
          this.#effects.deliver(action.message, action.deliveryId);
          break;
        case 'ackSent':
          this.#effects.ackSent(action.deliveryId);
          break;
        case 'settle':
          this.#effects.settle(action);
          break;
        case 'closeConnection':
          this.#effects.closeConnection(action.error);
          break;
        case 'notify':
          this.#effects.notify(action.event);
          break;
        case 'authenticate':
          this.#effects.authenticate(action);
          break;
      }
    }
    // One write per input: the changes of one step reach the outbox together, and in order.
    if (changes !== undefined) this.#writeOutbox(changes, awaitedIds ?? NO_IDS, awaitedIncoming ?? NO_IDS);
  }

  #writeOutbox(changes: OutboxChange[], ids: number[], incoming: number[]): void {
    const outbox = this.#outbox;
    if (outbox === undefined) return;
    const awaited = ids.length > 0 || incoming.length > 0;
    let result: void | Promise<void>;
    try {
      result = outbox.write(changes);
    } catch (error) {
      this.#outboxFailed(error, awaited, ids, incoming);
      return;
    }
    if (result === undefined) {
      if (awaited) this.#inputs.push({ type: 'stored', ids, incoming });
      return;
    }
    // Closures only for an asynchronous outbox: a synchronous one costs none per write.
    result.then(
      () => {
        if (awaited) this.dispatch({ type: 'stored', ids, incoming });
      },
      (error: unknown) => this.#outboxFailed(error, awaited, ids, incoming),
    );
  }

  #outboxFailed(error: unknown, awaited: boolean, ids: number[], incoming: number[]): void {
    const failure = error instanceof MqttError ? error : new OutboxError(`the outbox could not write: ${(error as Error)?.message}`, { cause: error });
    this.#effects.outboxFailed(failure);
    if (awaited) this.dispatch({ type: 'storeFailed', ids, incoming, error: failure });
  }

  /** Keeps one timer for the session's next deadline; a later deadline lets it fire early instead. */
  #scheduleTimer(): void {
    const deadline = this.#session.nextDeadline();
    if (deadline === undefined) {
      this.#cancelTimer();
      return;
    }
    if (deadline >= this.#timerAt) return;
    this.#cancelTimer();
    this.#timerAt = deadline;
    this.#timer = this.#clock.setTimer(deadline, () => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.dispatch({ type: 'timerExpired' });
    });
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }
}
