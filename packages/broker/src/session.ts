import type { Delivery } from './message';
import type { Cancel } from './scheduler';
import type { SessionState } from './session-state';

/** The connection that currently holds a session, as the session's routing sees it. */
export interface SessionOwner {
  /** Sends (or queues) a message routed to this client. */
  deliver(delivery: Delivery): void;
  /** Another connection with the same client id takes the session: close this one. */
  takeOver(): void;
  /** Cut the connection as a network failure would. */
  drop(reason: string): void;
}

/**
 * A session while the broker runs: its persistable `state`, plus what only makes sense in this
 * process (the connection holding it, the timers of its expiry and of its will's delay).
 */
export class Session {
  owner: SessionOwner | undefined;
  cancelExpiry: Cancel | undefined;
  cancelWill: Cancel | undefined;
  /** True while messages are being dropped because the queue is full (logged once per run). */
  dropping = false;

  constructor(readonly state: SessionState) {}

  get clientId(): string {
    return this.state.clientId;
  }

  /** Stops the expiry and will timers. */
  cancelTimers(): void {
    this.cancelExpiry?.();
    this.cancelWill?.();
    this.cancelExpiry = undefined;
    this.cancelWill = undefined;
  }
}
