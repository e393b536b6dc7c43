import type { BrokerMessage } from './message';
import type { SessionState } from './session-state';

/**
 * What a broker leaves behind when it closes, for the next broker on the same store to carry on
 * from: every session that outlives its connection, and the retained messages. Plain data.
 */
export interface SessionSnapshot {
  /** When it was taken (ms since the epoch): session expiry and will delays count on from there. */
  readonly savedAt: number;
  /** Subscriptions, queued and in-flight messages, inbound QoS 2 ids awaiting PUBREL, wills. */
  readonly sessions: readonly SessionState[];
  readonly retained: readonly BrokerMessage[];
}

/**
 * Where a broker keeps its sessions across a restart. `createBroker` loads the snapshot before it
 * listens and then clears it; `close()` saves a new one once every connection is closed, so it
 * holds everything the broker acknowledged.
 *
 * Design: a snapshot taken at close and removed once loaded, not a journal. A broker that crashes
 * leaves no snapshot, so its clients see Session Present 0 and publish what they owe again (the
 * loss is reported to them); a stale snapshot loaded after a crash would instead hold inbound
 * QoS 2 ids already released, and a new message reusing one would be taken for a duplicate.
 */
export interface SessionStore {
  /** The last snapshot saved, or undefined if there is none. */
  load(): Promise<SessionSnapshot | undefined>;
  /** Replaces the snapshot with this one (at close, once every connection is closed). */
  save(snapshot: SessionSnapshot): Promise<void>;
  /** Removes the snapshot (once it is loaded). */
  clear(): Promise<void>;
}
