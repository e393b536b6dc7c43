import {
  type AuthPacket,
  type ConnackPacket,
  type ConnackProperties,
  type ConnectPacket,
  type DecodeError,
  type DisconnectPacket,
  type Packet,
  type ProtocolVersion,
  ReasonCode,
  reasonCodeName,
} from '@courier/core';
import type { BrokerCore } from './broker-core';
import { connectReturnCodeOf, refusalOf } from './connect-reasons';
import { AuthExchange } from './enhanced-auth';
import { InboundFlow } from './inbound-flow';
import type { Link } from './link';
import { andThen, callHook, type MaybePromise } from './maybe-async';
import type { Delivery } from './message';
import { type ClientInfo, NEVER_EXPIRES, PROTOCOL_MAXIMUM_PACKET_SIZE } from './options';
import { OutboundFlow } from './outbound-flow';
import type { Cancel } from './scheduler';
import type { Session, SessionOwner } from './session';
import { SubscriptionFlow } from './subscription-flow';

type Phase = 'awaiting-connect' | 'connecting' | 'connected' | 'closed';

// Codes the decoder may report that DISCONNECT cannot carry (3.14.2.1): sent as Protocol Error.
const NOT_FOR_DISCONNECT = new Set([ReasonCode.UnsupportedProtocolVersion]);

/**
 * One client connection's protocol, from CONNECT to its end: it is handed decoded packets and
 * answers through its `Link`, with no sockets, bytes or timers of its own (the scheduler gives
 * those). What outlives the connection lives in its `Session`; the QoS flows are delegated to
 * `InboundFlow` (client to broker) and `OutboundFlow` (broker to client), subscriptions to
 * `SubscriptionFlow`.
 */
export class ProtocolHandler implements SessionOwner {
  private phase: Phase = 'awaiting-connect';
  private version: ProtocolVersion = 4;
  private client: ClientInfo = { clientId: '' };
  private session: Session | undefined;
  private inbound: InboundFlow | undefined;
  private outbound: OutboundFlow | undefined;
  private subscriptions: SubscriptionFlow | undefined;
  /** 5.0: a CONNECT with Session Expiry 0 may not set one on DISCONNECT (3.14.2.2.2). */
  private connectExpiryWasZero = true;
  /** Why the connection ended, when this side knows better than "connection lost". */
  private closeReason: string | undefined;
  private keepAliveMs = 0;
  private lastPacketAt = 0;
  /** The connect timeout until CONNECT (and through an enhanced authentication), then the keep-alive check. */
  private cancelTimer: Cancel | undefined;
  /** 5.0 enhanced authentication, when CONNECT named a method we have. */
  private auth: AuthExchange | undefined;
  /** The conversation's final data, for the CONNACK. */
  private authFinalData: Uint8Array | undefined;

  constructor(
    private readonly core: BrokerCore,
    private readonly link: Link,
  ) {
    this.cancelTimer = core.scheduler.after(core.options.connectTimeoutMs, () => this.connectTimedOut());
  }

  private get clientId(): string {
    return this.client.clientId;
  }

  /** Handles one packet from the client; a promise when a hook answers asynchronously. */
  handle(packet: Packet): MaybePromise<void> {
    if (this.phase === 'closed' || this.link.closed) return;
    if (this.phase !== 'connected') {
      if (this.phase === 'awaiting-connect' && packet.type === 'connect') return this.connect(packet);
      if (this.phase === 'connecting' && packet.type === 'auth' && this.auth !== undefined) return this.authPacket(packet);
      return this.fail(ReasonCode.ProtocolError, `${packet.type.toUpperCase()} before CONNACK`); // [MQTT-3.1.0-1]
    }
    this.lastPacketAt = this.core.scheduler.now();
    switch (packet.type) {
      case 'publish':
        return this.inbound!.publish(packet);
      case 'puback':
        return this.outbound!.puback(packet);
      case 'pubrec':
        return this.outbound!.pubrec(packet);
      case 'pubcomp':
        return this.outbound!.pubcomp(packet);
      case 'pubrel':
        return this.inbound!.pubrel(packet);
      case 'subscribe':
        return this.subscriptions!.subscribe(packet);
      case 'unsubscribe':
        return this.subscriptions!.unsubscribe(packet);
      case 'pingreq':
        this.link.send({ type: 'pingresp' }); // [MQTT-3.12.4-1]
        return;
      case 'disconnect':
        return this.disconnect(packet);
      case 'connect':
        return this.fail(ReasonCode.ProtocolError, 'a second CONNECT'); // [MQTT-3.1.0-2]
      case 'auth':
        return this.authPacket(packet);
      default:
        return this.fail(ReasonCode.ProtocolError, `${packet.type.toUpperCase()} is not a packet a client sends`);
    }
  }

  /** The bytes from the client could not be decoded: close, saying why where the protocol can. */
  decodeFailed(error: DecodeError): void {
    if (this.phase === 'awaiting-connect') {
      this.closeReason = error.message;
      if (error.reasonCode === ReasonCode.UnsupportedProtocolVersion) {
        // Answered with the 3.1.1 CONNACK return code 0x01, which every version reads [MQTT-3.1.2-2].
        this.link.send({ type: 'connack', sessionPresent: false, reasonCode: 0x01 });
      }
      this.core.log(`${this.link.peer} refused: ${error.message}`);
      this.phase = 'closed';
      this.link.close('flush');
      return;
    }
    const code = NOT_FOR_DISCONNECT.has(error.reasonCode as 0x84) ? ReasonCode.ProtocolError : error.reasonCode;
    this.fail(code, error.message);
  }

  /** The transport can take more: send what waits. */
  drained(): void {
    if (this.phase === 'connected') this.outbound!.flush();
  }

  /** The connection is gone (for whatever reason): hand the session back to the broker. */
  connectionLost(reason: string): void {
    const wasConnected = this.phase === 'connected';
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.stopTimer();
    if (!wasConnected) return;
    this.core.log(`${this.clientId} disconnected (${this.closeReason ?? reason})`);
    this.core.detach(this.session!, this);
  }

  /** A message routed to this client. */
  deliver(delivery: Delivery): void {
    this.outbound?.deliver(delivery);
  }

  /** Another connection took the session [MQTT-3.1.4-3]: 5.0 says so with 0x8E, then close. */
  takeOver(): void {
    if (this.phase !== 'connected') return;
    if (this.version === 5) this.link.send({ type: 'disconnect', reasonCode: ReasonCode.SessionTakenOver });
    this.core.log(`${this.clientId} disconnected (session taken over)`);
    this.phase = 'closed';
    this.stopTimer();
    this.link.close('flush');
  }

  /** Cut the connection as a network failure would: the will is published. */
  drop(reason: string): void {
    this.closeReason = reason;
    this.link.close('abort');
  }

  /** The broker is closing: 5.0 clients are told so (0x8B); sessions end with the process. */
  shutdown(): void {
    if (this.phase === 'connected' && this.version === 5) {
      this.link.send({ type: 'disconnect', reasonCode: ReasonCode.ServerShuttingDown });
    }
    this.phase = 'closed';
    this.stopTimer();
    this.link.close('flush');
  }

  /**
   * Closes the connection for a protocol violation or an error (4.13): 5.0 clients first get a
   * DISCONNECT with the reason code and a reason string [MQTT-4.13.1-1]. The will is published.
   */
  fail(reasonCode: number, reason: string): void {
    if (this.phase === 'closed' || this.link.closed) return;
    this.closeReason = `${reason}: ${reasonCodeName(reasonCode)}`;
    if (this.phase === 'connected') {
      // No DISCONNECT before a successful CONNACK [MQTT-3.14.0-1].
      if (this.version === 5) this.link.send({ type: 'disconnect', reasonCode, properties: { reasonString: reason } });
    } else {
      this.core.log(`${this.clientId || this.link.peer} closed before CONNACK: ${this.closeReason}`);
    }
    this.link.close('flush');
  }

  private connect(packet: ConnectPacket): MaybePromise<void> {
    this.stopTimer();
    this.phase = 'connecting';
    this.version = packet.protocolVersion;
    const properties = packet.properties;
    let clientId = packet.clientId;
    let assigned = false;
    if (clientId.length === 0) {
      // 3.1.1 refuses an empty id without Clean Session [MQTT-3.1.3-8] (3.1.1); otherwise the
      // broker assigns one [MQTT-3.1.3-6], and 5.0 returns it in CONNACK [MQTT-3.1.3-7].
      if (this.version === 4 && !packet.clean) {
        return this.refuse(ReasonCode.ClientIdentifierNotValid, 'an empty client id needs Clean Session');
      }
      clientId = this.core.assignClientId();
      assigned = this.version === 5;
    }
    this.client = packet.username === undefined ? { clientId } : { clientId, username: packet.username };
    this.link.identify(clientId, this.version, properties?.maximumPacketSize);
    if (properties?.authenticationMethod !== undefined) {
      return this.startEnhancedAuthentication(packet, properties.authenticationMethod, properties.authenticationData, assigned);
    }
    const { hooks } = this.core.options;
    const authenticate = hooks.authenticate;
    const verdict =
      authenticate === undefined
        ? true
        : callHook<boolean | number>(
            () => {
              const request: Parameters<typeof authenticate>[0] = { clientId };
              if (packet.username !== undefined) request.username = packet.username;
              if (packet.password !== undefined) request.password = packet.password;
              return authenticate.call(hooks, request);
            },
            ReasonCode.UnspecifiedError,
            (error) => this.core.log(`authenticate threw for ${clientId}: ${String(error)}`),
          );
    return andThen(verdict, (answer) => this.authenticated(packet, answer, assigned));
  }

  /** CONNECT named an Authentication Method: its conversation decides, through AUTH packets. */
  private startEnhancedAuthentication(packet: ConnectPacket, method: string, data: Uint8Array | undefined, assigned: boolean): MaybePromise<void> {
    const make = this.core.options.hooks.enhancedAuthenticators?.[method];
    if (make === undefined) return this.refuse(ReasonCode.BadAuthenticationMethod, `no authenticator for ${method}`); // [MQTT-4.12.0-1]
    let conversation;
    try {
      conversation = make(this.client);
    } catch (error) {
      this.core.log(`${method} authenticator threw for ${this.clientId}: ${String(error)}`);
      return this.refuse(ReasonCode.UnspecifiedError, 'the authenticator failed');
    }
    this.auth = new AuthExchange(method, conversation, {
      connected: () => this.phase === 'connected',
      closed: () => this.link.closed || this.phase === 'closed',
      send: (auth) => this.link.send(auth),
      log: (line) => this.core.log(`${this.clientId} ${line}`),
      refuse: (reasonCode, reason) => this.refuse(reasonCode, reason),
      fail: (reasonCode, reason) => this.fail(reasonCode, reason),
      accept: (username, final) => {
        if (username !== undefined) this.client = { ...this.client, username };
        this.stopTimer();
        this.authFinalData = final;
        return this.authenticated(packet, true, assigned);
      },
    });
    // The connect timeout bounds the whole exchange, as it bounds the wait for CONNECT.
    this.cancelTimer = this.core.scheduler.after(this.core.options.connectTimeoutMs, () => this.authTimedOut());
    return this.auth.start(data);
  }

  /** An AUTH from the client: only after an Authentication Method in CONNECT [MQTT-4.12.0-7]. */
  private authPacket(packet: AuthPacket): MaybePromise<void> {
    if (this.auth === undefined) return this.fail(ReasonCode.ProtocolError, 'AUTH without an authentication method');
    return this.auth.onAuth(packet);
  }

  private authTimedOut(): void {
    if (this.phase !== 'connecting') return;
    this.core.log(`${this.clientId || this.link.peer}: enhanced authentication did not finish in ${this.core.options.connectTimeoutMs} ms; closed`);
    this.phase = 'closed';
    this.link.close('abort');
  }

  private authenticated(packet: ConnectPacket, verdict: boolean | number, assigned: boolean): MaybePromise<void> {
    if (this.link.closed) return;
    const refusal = refusalOf(verdict);
    if (refusal !== undefined) return this.refuse(refusal, 'authentication refused');
    const { will } = packet;
    const { hooks } = this.core.options;
    const authorize = hooks.authorizePublish;
    if (will === undefined || authorize === undefined) return this.accept(packet, assigned);
    // The will topic is authorized at CONNECT, as Mosquitto does.
    const allowed = callHook(() => authorize.call(hooks, this.client, will.topic), false, (error) =>
      this.core.log(`authorizePublish threw for ${this.clientId}: ${String(error)}`),
    );
    return andThen(allowed, (ok) =>
      ok === true ? this.accept(packet, assigned) : this.refuse(ReasonCode.NotAuthorized, 'not authorized to publish the will'),
    );
  }

  private accept(packet: ConnectPacket, assigned: boolean): void {
    if (this.link.closed) return;
    const { options } = this.core;
    const properties = packet.properties;
    // 3.1.1: Clean Session 1 ends the session with the connection, 0 keeps it (3.1.2.4).
    const requested =
      this.version === 5 ? (properties?.sessionExpiryInterval ?? 0) : packet.clean ? 0 : NEVER_EXPIRES;
    const expiryS = Math.min(requested, options.maximumSessionExpiryInterval);
    this.connectExpiryWasZero = requested === 0;
    const { session, sessionPresent, will: endedWill } = this.core.openSession(this.clientId, packet.clean, expiryS);
    session.state.will = packet.will; // [MQTT-3.1.2-7]
    this.session = session;
    const window = Math.min(properties?.receiveMaximum ?? 65535, options.maxInflightMessages);
    const aliases = this.version === 5 ? (properties?.topicAliasMaximum ?? 0) : 0;
    this.outbound = new OutboundFlow(this.core, session, this.link, this.version, window, aliases);
    const fail = (code: number, reason: string): void => this.fail(code, reason);
    this.inbound = new InboundFlow(this.core, session, this.link, this.version, this.client, fail);
    this.subscriptions = new SubscriptionFlow(this.core, session, this.link, this.version, this.client, this.outbound, fail);
    // `serverKeepAlive` is a maximum, as Mosquitto's max_keepalive (Paho's test broker caps
    // only non-zero values): a 5.0 client asking for more, or for none, is given it in CONNACK
    // and must use it [MQTT-3.2.2-21]; otherwise its own value holds [MQTT-3.2.2-22]. 3.1.1
    // cannot be told.
    const maximumS = this.version === 5 ? options.serverKeepAlive : undefined;
    const imposed = maximumS !== undefined && (packet.keepAlive === 0 || packet.keepAlive > maximumS);
    const keepAliveS = imposed ? maximumS : packet.keepAlive;

    const connack: ConnackPacket = { type: 'connack', sessionPresent, reasonCode: 0 };
    if (this.version === 5) {
      const grantedExpiryS = requested === expiryS ? undefined : expiryS;
      connack.properties = this.connackProperties(assigned, imposed ? keepAliveS : undefined, grantedExpiryS);
    }
    this.link.send(connack); // [MQTT-3.2.0-1]: before any other packet
    this.phase = 'connected';
    const version = this.version === 5 ? '5.0' : '3.1.1';
    const clean = packet.clean ? (this.version === 5 ? 'clean start' : 'clean session') : 'session kept';
    this.core.log(
      `${this.clientId} connected (MQTT ${version}, ${this.link.peer}, ${clean}${sessionPresent ? ', session present' : ''}, keep-alive ${keepAliveS} s)`,
    );
    this.core.attach(session, this);
    this.startKeepAlive(keepAliveS);
    if (endedWill !== undefined) this.core.publishWillMessage(endedWill, this.clientId);
    if (sessionPresent) this.outbound.resume();
  }

  private connackProperties(
    assigned: boolean,
    serverKeepAliveS: number | undefined,
    grantedExpiryS: number | undefined,
  ): ConnackProperties {
    const { options } = this.core;
    const properties: ConnackProperties = {};
    if (options.receiveMaximum < 65535) properties.receiveMaximum = options.receiveMaximum;
    if (options.maximumPacketSize < PROTOCOL_MAXIMUM_PACKET_SIZE) properties.maximumPacketSize = options.maximumPacketSize;
    if (options.topicAliasMaximum > 0) properties.topicAliasMaximum = options.topicAliasMaximum;
    if (assigned) properties.assignedClientIdentifier = this.clientId; // [MQTT-3.2.2-16]
    if (serverKeepAliveS !== undefined) properties.serverKeepAlive = serverKeepAliveS;
    if (grantedExpiryS !== undefined) properties.sessionExpiryInterval = grantedExpiryS;
    if (this.auth !== undefined) {
      properties.authenticationMethod = this.auth.method; // [MQTT-4.12.0-5]
      if (this.authFinalData !== undefined) properties.authenticationData = this.authFinalData;
      this.authFinalData = undefined;
    }
    return properties;
  }

  /** Refuses the CONNECT: CONNACK with the reason [MQTT-3.2.2-6], then close [MQTT-3.2.2-7]. */
  private refuse(reasonCode: number, reason: string): void {
    if (this.link.closed) return;
    const connack: ConnackPacket = {
      type: 'connack',
      sessionPresent: false,
      reasonCode: this.version === 5 ? reasonCode : connectReturnCodeOf(reasonCode),
    };
    if (this.version === 5) connack.properties = { reasonString: reason };
    this.link.send(connack);
    this.core.log(`${this.clientId || this.link.peer} refused: ${reason} (${reasonCodeName(reasonCode)})`);
    this.phase = 'closed';
    this.link.close('flush'); // and nothing after CONNECT is processed [MQTT-3.1.4-6]
  }

  private disconnect(packet: DisconnectPacket): void {
    const { state } = this.session!;
    const expiryS = packet.properties?.sessionExpiryInterval;
    if (expiryS !== undefined) {
      if (this.connectExpiryWasZero && expiryS !== 0) {
        return this.fail(ReasonCode.ProtocolError, 'DISCONNECT sets a Session Expiry Interval after CONNECT set none');
      }
      state.expiryIntervalS = Math.min(expiryS, this.core.options.maximumSessionExpiryInterval);
    }
    const reasonCode = packet.reasonCode ?? 0;
    // A normal disconnection discards the will [MQTT-3.14.4-3]; any other reason (0x04 "with
    // will message" among them) keeps it.
    if (reasonCode === 0) state.will = undefined;
    this.closeReason = reasonCode === 0 ? 'DISCONNECT' : `DISCONNECT ${reasonCodeName(reasonCode)}`;
    this.link.close('flush');
  }

  private startKeepAlive(keepAliveS: number): void {
    if (keepAliveS === 0) return;
    // [MQTT-3.1.2-22]: one and a half times the keep-alive without a packet closes the connection.
    this.keepAliveMs = keepAliveS * 1500;
    this.lastPacketAt = this.core.scheduler.now();
    this.cancelTimer = this.core.scheduler.after(this.keepAliveMs, () => this.checkKeepAlive());
  }

  private checkKeepAlive(): void {
    if (this.phase !== 'connected') return;
    const idleMs = this.core.scheduler.now() - this.lastPacketAt;
    if (idleMs >= this.keepAliveMs) {
      this.fail(ReasonCode.KeepAliveTimeout, `no packet for ${this.keepAliveMs / 1000} s`);
      return;
    }
    this.cancelTimer = this.core.scheduler.after(this.keepAliveMs - idleMs, () => this.checkKeepAlive());
  }

  private connectTimedOut(): void {
    if (this.phase !== 'awaiting-connect') return;
    this.core.log(`${this.link.peer} sent no CONNECT in ${this.core.options.connectTimeoutMs} ms; closed`);
    this.phase = 'closed';
    this.link.close('abort');
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}
