import type { Packet } from '../codec/packet';
import type { BrokerLimits } from './version-policy';

/**
 * The state of one network connection, from CONNECT to its loss. Everything here is forgotten
 * with the connection: topic aliases never carry over to the next one [MQTT-3.3.2-7].
 */
export class Link {
  phase: 'connecting' | 'connected' | 'closing' = 'connecting';
  /** When CONNACK is overdue. */
  readonly connectDeadline: number;
  lastSentAt: number;
  /** When our unanswered PINGREQ went out, or -1. */
  pingSentAt = -1;
  keepAliveMs: number;
  limits: BrokerLimits | undefined;
  /** 5.0 flow control (4.9): how many more QoS 1/2 PUBLISHes may go out unacknowledged. */
  quota = 0;
  quotaMax = 0;
  /** The transport asked us to wait: no PUBLISH goes out until it drains. */
  blocked = false;
  /** QoS 1/2 messages received on this connection and not yet answered by PUBACK or PUBCOMP. */
  unacknowledgedIn = 0;
  /** The broker went past our Receive Maximum on this connection, and we said so. */
  inboundOverflowReported = false;
  /** This is the first connection on which a CONNECT went to this broker. */
  firstToBroker = false;
  /**
   * PUBLISH and PUBREL the broker sent before its CONNACK, handled right after it. CONNACK must
   * come first [MQTT-3.2.0-1], but Aedes 1.2 writes a message that comes in while it restores a
   * session before its CONNACK; closing for it would lose nothing, and would happen again on
   * every attempt while messages flow.
   */
  early: Packet[] | undefined;
  /** Topic aliases the broker set on this connection. */
  readonly topicAliases = new Map<number, string>();
  /** Topic aliases we set on this connection (`autoTopicAliases`), by topic. */
  readonly sentAliases = new Map<string, number>();

  constructor(now: number, connectTimeoutMs: number, keepAliveMs: number) {
    this.connectDeadline = now + connectTimeoutMs;
    this.lastSentAt = now;
    this.keepAliveMs = keepAliveMs;
  }

  get open(): boolean {
    return this.phase === 'connected';
  }
}
