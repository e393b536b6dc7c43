import type { ConnackPacket, Packet, ProtocolVersion } from '../codec/packet';
import type { DisconnectProperties } from '../codec/properties';
import { reasonCodeText } from '../codec/reason-code-text';
import { VALID_REASON_CODES_V5 } from '../codec/reason-codes';
import {
  ClientEndedError,
  ConnectionError,
  ConnectRefusedError,
  MqttError,
  ProtocolError,
} from '../errors';
import type { AuthFlow } from './auth-flow';
import { IncomingFlow } from './incoming-flow';
import { Link } from './link';
import { OutgoingFlow } from './outgoing-flow';
import { PacketIds } from './packet-ids';
import type { SessionContext } from './session-context';
import type { OutboxEntry, SessionAction, SessionInput, SessionOptions, SettleAction } from './session-types';
import { SubscriptionFlow } from './subscription-flow';
import { policyFor, type VersionPolicy } from './version-policy';

/**
 * The MQTT session of one client, as a pure state machine: `handle(input, now)` takes what
 * happened and returns what to do, in order; `nextDeadline()` says when it next wants a
 * `timerExpired`. It never touches a socket, a timer, storage or the clock, so every rule it
 * keeps can be tested by feeding it inputs. One machine serves 3.1.1 and 5.0; what differs
 * lives in the version policy.
 *
 * Rules it keeps, and where: outgoing messages (write-ahead, packet ids, the window, DUP,
 * resend) in OutgoingFlow; received messages (QoS 2 exactly once, ack order, Receive Maximum,
 * topic aliases) in IncomingFlow; SUBSCRIBE/UNSUBSCRIBE and resubscribing in
 * SubscriptionFlow; the connection (CONNACK, keep-alive, refusals, fallback) here. RULES.md
 * beside this file indexes them: each requirement id, the method that keeps it, its test.
 */
export class Session implements SessionContext {
  now = 0;
  readonly options: SessionOptions;
  readonly ids = new PacketIds();
  policy: VersionPolicy;
  link: Link | null = null;
  /** The client id on the wire; a 5.0 broker may assign one. */
  clientId: string;

  #out: SessionAction[] = [];
  readonly #outgoing: OutgoingFlow;
  readonly #incoming: IncomingFlow;
  readonly #subscriptions: SubscriptionFlow;
  /** Enhanced authentication, once enabled: the client loads it only when it has a method. */
  #auth: AuthFlow | undefined;
  #connectedBefore = false;
  /** The version each broker (by its index in the client's list) accepted, or we fell back to there. */
  readonly #spoken = new Map<number, VersionPolicy>();
  /** Brokers a CONNECT has gone to: only the first connection to a broker may fall back on a close. */
  readonly #tried = new Set<number>();
  #broker = 0;
  #restoredState = false;
  /** The current connection's credentials were fetched for it (a beforeConnect hook). */
  #freshCredentials = false;
  #ended = false;

  constructor(options: SessionOptions) {
    this.options = options;
    this.clientId = options.clientId;
    this.policy = policyFor(options.protocolVersion);
    this.#outgoing = new OutgoingFlow(this);
    this.#incoming = new IncomingFlow(this);
    this.#subscriptions = new SubscriptionFlow(this);
  }

  /**
   * Turns on enhanced authentication [MQTT-4.12] for `options.authenticationMethod`, with the
   * flow class given (passed in, not imported, so that clients without a method never load it).
   */
  useAuthFlow(Flow: typeof AuthFlow): void {
    const accept = (connack: ConnackPacket, held: Packet[]) => {
      if (this.link === null) return;
      this.#accept(connack, this.link);
      for (const packet of held) this.#onPacket(packet);
    };
    this.#auth = new Flow(this, accept, { ProtocolError, ConnectionError });
  }

  /** The version of the next (or current) connection: 3.1.1 after a fallback. */
  get protocolVersion(): ProtocolVersion {
    return this.policy.version;
  }

  get connected(): boolean {
    return this.link?.open === true;
  }

  handle(input: SessionInput, now: number): SessionAction[] {
    this.now = now;
    const out: SessionAction[] = [];
    this.#out = out;
    switch (input.type) {
      case 'restore':
        this.#outgoing.restore(input.snapshot.outgoing);
        this.#incoming.restore(input.snapshot.incoming);
        this.#restoredState = this.#outgoing.hasRestoredState || input.snapshot.incoming.length > 0;
        break;
      case 'connectionOpened':
        this.#onConnectionOpened(input);
        break;
      case 'connectionLost':
        this.#onConnectionLost();
        break;
      case 'packetReceived':
        this.#onPacket(input.packet);
        break;
      case 'decodeFailed':
        this.fail(new ProtocolError(input.error.reasonCode, `the broker sent a malformed packet: ${input.error.message}`, { cause: input.error }));
        break;
      case 'publishRequested':
        if (this.#ended) this.emit({ type: 'settle', operation: 'publish', id: input.id, error: new ClientEndedError() });
        else this.#outgoing.request(input.id, input.message);
        break;
      case 'subscribeRequested':
        if (this.#ended) this.emit({ type: 'settle', operation: 'subscribe', id: input.id, error: new ClientEndedError() });
        else this.#subscriptions.requestSubscribe(input.id, input.subscriptions, input.properties);
        break;
      case 'unsubscribeRequested':
        if (this.#ended) this.emit({ type: 'settle', operation: 'unsubscribe', id: input.id, error: new ClientEndedError() });
        else this.#subscriptions.requestUnsubscribe(input.id, input.topicFilters, input.properties);
        break;
      case 'abortRequested':
        this.#outgoing.abort(input.id);
        break;
      case 'stored':
        this.#outgoing.onStored(input.ids);
        this.#incoming.onStored(input.incoming);
        break;
      case 'storeFailed':
        this.#outgoing.onStoreFailed(input.ids, input.error);
        if (input.incoming.length > 0) this.#incoming.onStoreFailed(input.incoming, input.error);
        break;
      case 'timerExpired':
        this.#onTimer();
        break;
      case 'transportBlocked':
        if (this.link !== null) this.link.blocked = true;
        break;
      case 'transportDrained':
        if (this.link !== null) this.link.blocked = false;
        break;
      case 'deliveryHeld':
        this.#incoming.setHolding(input.held);
        break;
      case 'ackRequested':
        this.#incoming.onAckRequested(input.deliveryId);
        break;
      case 'disconnectRequested':
        this.#disconnect(input.reasonCode, input.properties);
        break;
      case 'authAnswered':
      case 'authFailed':
      case 'reauthenticateRequested':
        // Without a method there is no flow: the client refuses re-authentication before asking.
        this.#auth?.handle(input);
        break;
      case 'endRequested':
        this.#ended = true;
        this.#outgoing.endAll(new ClientEndedError());
        this.#subscriptions.endAll(new ClientEndedError());
        this.#disconnect(undefined, undefined);
        break;
    }
    this.#subscriptions.pump();
    this.#outgoing.pump();
    this.#out = [];
    return out;
  }

  /** When the session next needs a `timerExpired` (a `now` value), or undefined: not until something happens. */
  nextDeadline(): number | undefined {
    const link = this.link;
    if (link === null) return undefined;
    if (link.phase === 'connecting') return link.connectDeadline;
    if (link.phase !== 'connected') return undefined;
    const deadline = Math.min(this.#keepAliveDeadline(link), this.#outgoing.nextDeadline(), this.#subscriptions.nextDeadline(), this.#auth?.nextDeadline() ?? Infinity);
    return deadline === Infinity ? undefined : deadline;
  }

  /** What is still owed: every QoS 1/2 message not yet fully acknowledged, in publish order. */
  pending(): OutboxEntry[] {
    return this.#outgoing.pending();
  }

  /** Nothing owed: no message to deliver, no operation to answer. */
  isIdle(): boolean {
    return this.#outgoing.owed === 0 && this.#subscriptions.owed === 0 && this.#incoming.idle;
  }

  /** Whether message `id` is still owed. */
  owes(id: number): boolean {
    return this.#outgoing.has(id);
  }

  /** Whether message `id` has gone out (then it cannot be called back). */
  wasSent(id: number): boolean {
    return this.#outgoing.wasSent(id);
  }

  // SessionContext: what the flows may do.

  emit(action: SessionAction): void {
    this.#out.push(action);
  }

  send(packet: Packet, settleWhenWritten?: SettleAction): void {
    this.#out.push(settleWhenWritten === undefined ? { type: 'send', packet } : { type: 'send', packet, settleWhenWritten });
    if (this.link !== null) this.link.lastSentAt = this.now;
  }

  fail(error: ProtocolError): void {
    const link = this.link;
    if (link === null || link.phase === 'closing') return;
    const code = VALID_REASON_CODES_V5.disconnect[error.reasonCode] === 1 ? error.reasonCode : 0x82 /* Protocol Error */;
    const disconnect = this.policy.disconnectFor(code);
    if (disconnect !== undefined) this.send(disconnect);
    this.closeConnection(error);
  }

  closeConnection(error?: MqttError): void {
    const link = this.link;
    if (link === null || link.phase === 'closing') return;
    link.phase = 'closing';
    this.#out.push(error === undefined ? { type: 'closeConnection' } : { type: 'closeConnection', error });
  }

  warn(error: MqttError): void {
    this.#out.push({ type: 'notify', event: { name: 'warning', error } });
  }

  #onConnectionOpened(input: SessionInput & { type: 'connectionOpened' }): void {
    const broker = input.broker ?? 0;
    const link = new Link(this.now, this.options.connectTimeoutMs, this.options.keepAlive * 1000);
    this.link = link;
    if (this.#ended) {
      this.closeConnection(new ClientEndedError());
      return;
    }
    this.#broker = broker;
    const policy = this.#spoken.get(broker) ?? policyFor(this.options.protocolVersion);
    if (policy !== this.policy) {
      this.policy = policy;
      this.#outgoing.revalidate();
      this.#subscriptions.revalidate();
    }
    link.firstToBroker = !this.#tried.has(broker);
    this.#freshCredentials = input.freshCredentials === true;
    this.#tried.add(broker);
    // A broker of a list, or a beforeConnect hook, may give credentials of their own.
    const options = input.username === undefined && input.password === undefined ? this.options : { ...this.options, ...credentialsOf(input) };
    const connect = this.policy.connectPacket(options, this.clientId);
    // With enhanced authentication, CONNECT waits for the handler's initial data.
    if (this.#auth?.start(connect) !== true) this.send(connect);
  }

  #onConnectionLost(): void {
    const link = this.link;
    if (link === null) return;
    // Closed by the broker (not by us: a timeout or an error sets 'closing') after CONNECT,
    // before CONNACK, the first time: a broker that does not speak this version may do that.
    if (link.phase === 'connecting' && link.firstToBroker && this.policy.closeRefusesVersion && this.#fallBack('the broker closed the connection after an MQTT 5.0 CONNECT')) {
      this.emit({ type: 'notify', event: { name: 'fallback' } });
    }
    this.link = null;
    this.#auth?.onConnectionLost();
    this.#outgoing.onConnectionLost();
    this.#incoming.onConnectionLost();
    this.#subscriptions.onConnectionLost();
  }

  #onPacket(packet: Packet): void {
    const link = this.link;
    if (link === null || link.phase === 'closing') return;
    if (link.phase === 'connecting') {
      // What the broker sends after its CONNACK waits until the handler has verified that CONNACK.
      if (this.#auth?.hold(packet) === true) return;
      if (packet.type === 'connack') this.#onConnack(packet, link);
      // AUTH is part of the connect only with a method; without one, it is AUTH before CONNACK.
      else if (packet.type === 'auth' && this.#auth !== undefined) this.#auth.onAuth(packet);
      else {
        const error = new ProtocolError(0x82 /* Protocol Error */, `the broker sent ${packet.type.toUpperCase()} before CONNACK`);
        const maximum = this.policy.inboundMaximum(this.options.receiveMaximum);
        // A PUBLISH or PUBREL is kept for after the CONNACK (Link.early): a warning for the first.
        if (packet.type !== 'publish' && packet.type !== 'pubrel') this.fail(error);
        else if ((link.early ??= []).push(packet) === 1) this.warn(error);
        else if (link.early.length > maximum) this.fail(this.policy.inboundOverflow(maximum));
      }
      return;
    }
    switch (packet.type) {
      case 'publish':
        this.#incoming.onPublish(packet, link);
        break;
      case 'puback':
        this.#outgoing.onPuback(packet);
        break;
      case 'pubrec':
        this.#outgoing.onPubrec(packet);
        break;
      case 'pubrel':
        this.#incoming.onPubrel(packet);
        break;
      case 'pubcomp':
        this.#outgoing.onPubcomp(packet);
        break;
      case 'suback':
        this.#subscriptions.onSuback(packet);
        break;
      case 'unsuback':
        this.#subscriptions.onUnsuback(packet);
        break;
      case 'pingresp':
        link.pingSentAt = -1;
        break;
      case 'disconnect': {
        const reasonCode = packet.reasonCode ?? 0;
        const event = { name: 'serverDisconnect' as const, reasonCode };
        this.emit({ type: 'notify', event: packet.properties === undefined ? event : { ...event, properties: packet.properties } });
        const error = new ConnectionError(`the broker disconnected: ${reasonCodeText(reasonCode)}`);
        // A broker refuses a re-authentication with DISCONNECT [MQTT-4.12.1-2]: that is its outcome.
        this.#auth?.onConnectionLost(error);
        this.closeConnection(error);
        break;
      }
      case 'connack':
        this.fail(new ProtocolError(0x82 /* Protocol Error */, 'the broker sent a second CONNACK'));
        break;
      case 'auth':
        if (this.#auth !== undefined) this.#auth.onAuth(packet);
        // [MQTT-4.12.0-6]: without an Authentication Method in CONNECT, the broker must send no AUTH.
        else this.fail(new ProtocolError(0x82 /* Protocol Error */, 'the broker sent AUTH, but the client set no authentication method'));
        break;
      default:
        this.fail(new ProtocolError(0x82 /* Protocol Error */, `the broker sent ${packet.type.toUpperCase()}, which only a client sends`));
    }
  }

  #onConnack(connack: ConnackPacket, link: Link): void {
    if (connack.reasonCode !== 0) {
      this.#onRefused(connack);
      return;
    }
    // With enhanced authentication the handler verifies the CONNACK's data first.
    if (this.#auth?.holdsConnack(connack) !== true) this.#accept(connack, link);
  }

  /** A successful CONNACK, verified: the connection is accepted. */
  #accept(connack: ConnackPacket, link: Link): void {
    if (connack.sessionPresent && this.options.clean) {
      // [MQTT-3.2.2-2]: a clean start never finds a session.
      this.fail(new ProtocolError(0x82 /* Protocol Error */, 'the broker says a session is present although we asked for a clean start'));
      return;
    }
    const limits = this.policy.limits(connack);
    link.phase = 'connected';
    link.limits = limits;
    link.quotaMax = link.quota = Math.min(this.options.maxInflight, limits.receiveMaximum);
    if (limits.serverKeepAlive !== undefined) link.keepAliveMs = limits.serverKeepAlive * 1000; // [MQTT-3.2.2-21]
    if (limits.assignedClientIdentifier !== undefined) this.clientId = limits.assignedClientIdentifier;
    if (connack.sessionPresent) {
      this.#outgoing.resend(link);
    } else {
      const expected = !this.options.clean && (this.#connectedBefore || this.#restoredState);
      const counts = this.#outgoing.resetSession();
      const unacknowledgedReceived = this.#incoming.onSessionReset();
      this.#subscriptions.resubscribe();
      if (expected) this.emit({ type: 'notify', event: { name: 'sessionLost', ...counts, unacknowledgedReceived } });
    }
    this.#connectedBefore = true;
    this.#spoken.set(this.#broker, this.policy);
    this.emit({ type: 'notify', event: { name: 'connected', connack, protocolVersion: this.policy.version } });
    const early = link.early;
    link.early = undefined;
    if (early !== undefined) for (const packet of early) this.#onPacket(packet);
  }

  #onRefused(connack: ConnackPacket): void {
    const error = new ConnectRefusedError(connack, this.policy.version, this.policy.describeRefusal(connack.reasonCode));
    const code = connack.reasonCode;
    let retry: 'now' | 'later' | 'never';
    if (this.policy.refusesVersion(connack) && this.#fallBack('the broker does not support MQTT 5.0')) {
      retry = 'now';
    } else if (this.#freshCredentials && this.policy.credentialRefusals.includes(code)) {
      // Credentials fetched for this attempt (a token): the next attempt fetches new ones.
      retry = 'later';
    } else {
      retry = this.policy.refusalIsPermanent(code) ? 'never' : 'later';
    }
    this.emit({ type: 'notify', event: { name: 'refused', error, retry } });
    this.closeConnection(error);
  }

  /** Moves this broker to the fallback version, once (the fallback has none of its own); false when there is none. */
  #fallBack(why: string): boolean {
    const fallback = this.policy.fallback;
    if (fallback === undefined || !this.options.fallbackToV4) return false;
    this.policy = fallback;
    this.#spoken.set(this.#broker, fallback);
    this.warn(new MqttError('ERR_FALLBACK_TO_V4', `${why}: connecting with MQTT 3.1.1 instead`));
    this.#outgoing.revalidate();
    this.#subscriptions.revalidate();
    return true;
  }

  #onTimer(): void {
    const link = this.link;
    if (link === null) return;
    if (link.phase === 'connecting') {
      if (this.now >= link.connectDeadline) {
        this.closeConnection(new ConnectionError(`no CONNACK within ${this.options.connectTimeoutMs} ms`));
      }
      return;
    }
    if (link.phase !== 'connected') return;
    if (link.keepAliveMs > 0) {
      if (link.pingSentAt >= 0) {
        if (this.now >= link.pingSentAt + this.options.pingTimeoutMs) {
          this.closeConnection(new ConnectionError(`no PINGRESP within ${this.options.pingTimeoutMs} ms: the connection is dead`));
          return;
        }
      } else if (this.now >= link.lastSentAt + link.keepAliveMs) {
        // [MQTT-3.1.2-23]: no more than Keep Alive between packets we send.
        this.send({ type: 'pingreq' });
        link.pingSentAt = this.now;
      }
    }
    this.#outgoing.checkTimeouts(link);
    this.#subscriptions.checkTimeouts();
    this.#auth?.checkTimeout();
  }

  #keepAliveDeadline(link: Link): number {
    if (link.keepAliveMs <= 0) return Infinity;
    return link.pingSentAt >= 0 ? link.pingSentAt + this.options.pingTimeoutMs : link.lastSentAt + link.keepAliveMs;
  }

  #disconnect(reasonCode: number | undefined, properties: DisconnectProperties | undefined): void {
    const link = this.link;
    if (link === null || link.phase === 'closing') return;
    if (link.open) this.send(this.policy.disconnectPacket(reasonCode, properties));
    this.closeConnection();
  }
}

function credentialsOf(input: { username?: string; password?: Uint8Array }): { username?: string; password?: Uint8Array } {
  const credentials: { username?: string; password?: Uint8Array } = {};
  if (input.username !== undefined) credentials.username = input.username;
  if (input.password !== undefined) credentials.password = input.password;
  return credentials;
}
