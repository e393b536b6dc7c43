import { decodeFromServer, encodeFromClient } from '../codec/client-codec';
import type { DecodeError } from '../codec/errors';
import { FrameDecoder } from '../codec/frame-decoder';
import type { Packet } from '../codec/packet';
import type { DisconnectProperties } from '../codec/properties';
import { AuthenticationError, ClientEndedError, ConnectionError, MqttError } from '../errors';
import type { Clock, Timer } from '../ports/clock';
import type { Connection, Transport } from '../ports/transport';
import type { Session } from '../session/session';
import type { SessionEvent, SessionInput } from '../session/session-types';
import { type BackoffOptions, backoffDelay } from './backoff';
import { type OpenedInput, type ResolvedBroker, openedInput } from './broker-list';
import type { ClientEventBus } from './client-events';
import type { BeforeConnect, ClientSettings } from './client-options';
import type { ConnectInfo, DisconnectInfo } from './client-types';
import { ConnectWaiters } from './connect-waiters';
import { Deferred, handled } from './deferred';

type Phase = 'starting' | 'connecting' | 'connected' | 'waiting' | 'stopped' | 'ended';

/** What the connection loop works with; the client wires it. */
export interface ConnectionLoopParts {
  settings: ClientSettings;
  /** The brokers to try, in order (one, or a cluster's nodes). */
  brokers: readonly ResolvedBroker[];
  clock: Clock;
  /** Read only: the version to speak, the session's, which changes on a fallback to 3.1.1. */
  session: Session;
  events: ClientEventBus;
  dispatch(input: SessionInput): void;
  /** Called before every attempt for its credentials (the client option). */
  beforeConnect?: BeforeConnect | undefined;
  /** The transport for a URL a `beforeConnect` hook answers with, when the client was made from URLs. */
  transportFor?: ((url: string) => Transport) | undefined;
}

/**
 * The connection's life: open one through the transport, feed its bytes to the session, report
 * its end, and open the next one after a backoff, until the client ends or a refusal says that
 * retrying cannot help. Each attempt has a token: anything a stale attempt reports is ignored.
 *
 * With several brokers, a failed attempt or a lost connection moves on to the next broker at
 * once, and the backoff comes between whole rounds of the list: attempt n (counted since the last
 * connection that stayed up) waits only when n is a multiple of the list's length.
 */
export class ConnectionLoop {
  readonly #parts: ConnectionLoopParts;
  readonly #events: ClientEventBus;
  readonly #dispatch: (input: SessionInput) => void;
  #phase: Phase = 'starting';
  #ending = false;
  /** Why the client cannot start at all (its outbox could not be opened). */
  #startError: MqttError | undefined;
  #connection: Connection | undefined;
  #attemptToken: object | undefined;
  #decoder: FrameDecoder | undefined;
  #blocked = false;
  #reconnectTimer: Timer | undefined;
  /** The connect timeout while the transport opens (the session times the CONNACK after). */
  #openTimer: Timer | undefined;
  /** Attempts since the last connection that stayed up `stableAfterMs`: what the backoff grows with. */
  #attempts = 0;
  /** Every attempt since the client started, as `beforeConnect` counts them. */
  #attemptsEver = 0;
  /** The broker of the current (or next) attempt: its index in `brokers`. */
  #current = 0;
  /** When the current connection was accepted. */
  #connectedAt = 0;
  #retryNow = false;
  #closeReason: MqttError | undefined;
  #serverDisconnect: { reasonCode: number; properties?: DisconnectProperties } | undefined;
  #connectInfo: ConnectInfo | undefined;
  /** Why the client stopped connecting (a permanent refusal, or reconnect turned off). */
  #lastFailure: MqttError | undefined;
  readonly #connectWaiters = new ConnectWaiters();
  /** Hears of every packet written and decoded, while a `packet` handler listens; else unset, so nothing is described. */
  tap: ((direction: 'in' | 'out', packet: Packet, size: number) => void) | undefined;
  #closed: Deferred<void> | undefined;

  constructor(parts: ConnectionLoopParts) {
    this.#parts = parts;
    this.#events = parts.events;
    this.#dispatch = parts.dispatch;
  }

  /** Whether a connection is open and accepted now. */
  get connected(): boolean {
    return this.#phase === 'connected';
  }

  /** Whether the client has given up connecting (a refusal, no reconnect, or no outbox). */
  get stopped(): boolean {
    return this.#phase === 'stopped';
  }

  /** The first connection attempt: the outbox is open. */
  start(): void {
    this.#connect();
  }

  /** The client cannot start: every waiter, now and later, gets `error`. */
  startFailed(error: MqttError): void {
    this.#startError = error;
    this.#phase = 'stopped';
    this.#connectWaiters.rejectAll(error);
  }

  /** Resolves on the next accepted CONNACK (at once when connected); rejects when that attempt fails. */
  whenConnected(): Promise<ConnectInfo> {
    if (this.#phase === 'connected' && this.#connectInfo !== undefined) return Promise.resolve(this.#connectInfo);
    if (this.#phase === 'ended' || this.#ending) return handled(Promise.reject(new ClientEndedError('the client has ended')));
    if (this.#startError !== undefined) return handled(Promise.reject(this.#startError));
    if (this.#phase === 'stopped') return handled(Promise.reject(this.#lastFailure ?? new ConnectionError('the client is not connecting')));
    return this.#connectWaiters.add();
  }

  /**
   * Encodes and writes a packet on the open connection (none: it goes nowhere, the session resends
   * what matters). Returns false when this write filled the transport: wait for it to drain.
   */
  send(packet: Packet, onWritten?: () => void): boolean {
    const connection = this.#connection;
    if (connection === undefined) {
      onWritten?.();
      return true;
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeFromClient(packet, this.#parts.session.protocolVersion);
    } catch (error) {
      // The session checks what it sends; reaching this is a bug, never a reason to write bad bytes.
      this.#events.emit('error', new MqttError('ERR_INTERNAL', `could not encode ${packet.type.toUpperCase()}: ${(error as Error).message}`, { cause: error }));
      connection.close();
      onWritten?.();
      return true;
    }
    this.tap?.('out', packet, bytes.length);
    if (connection.write(bytes, onWritten) || this.#blocked) return true;
    this.#blocked = true;
    return false;
  }

  /** Closes the connection at the session's request; `error` is why, for the disconnect event. */
  close(error: MqttError | undefined): void {
    if (error !== undefined) this.#closeReason = error;
    this.#connection?.close();
  }

  /** What the session reports about the connection. */
  onSessionEvent(event: SessionEvent): void {
    switch (event.name) {
      case 'connected': {
        this.#phase = 'connected';
        this.#connectedAt = this.#parts.clock.now();
        const info: ConnectInfo = { sessionPresent: event.connack.sessionPresent, protocolVersion: event.protocolVersion, connack: event.connack };
        const url = this.#parts.brokers[this.#current]!.url;
        if (url !== undefined) info.url = url;
        this.#connectInfo = info;
        this.#events.emit('connect', info);
        this.#connectWaiters.resolveAll(info);
        break;
      }
      case 'fallback':
        this.#retryNow = true;
        break;
      case 'refused':
        this.#lastFailure = event.error;
        this.#events.emit('error', event.error);
        if (event.retry === 'now') {
          this.#retryNow = true;
        } else {
          if (event.retry === 'never') this.#phase = 'stopped';
          this.#connectWaiters.rejectAll(event.error);
        }
        break;
      case 'serverDisconnect':
        this.#serverDisconnect = event.properties === undefined ? { reasonCode: event.reasonCode } : { reasonCode: event.reasonCode, properties: event.properties };
        break;
    }
  }

  /**
   * The client is ending: no more attempts. Resolves when the open connection (if any) has
   * closed, which the session's DISCONNECT or end input, dispatched next, brings about.
   */
  beginEnd(): Promise<void> {
    this.#ending = true;
    this.#reconnectTimer?.cancel();
    this.#reconnectTimer = undefined;
    this.#cancelOpenTimer();
    if (this.#connection === undefined) {
      this.#attemptToken = undefined;
      return Promise.resolve();
    }
    this.#closed = new Deferred<void>();
    return this.#closed.promise;
  }

  /** The client has ended: whoever still waits for a connection is told. */
  ended(): void {
    this.#attemptToken = undefined;
    this.#phase = 'ended';
    this.#connectWaiters.rejectAll(new ClientEndedError('the client has ended'));
  }

  /** Opens a connection through the transport, with the credentials `beforeConnect` gives when there is one. */
  #connect(): void {
    if (this.#phase === 'ended' || this.#phase === 'stopped') return;
    this.#phase = 'connecting';
    const token = {};
    this.#attemptToken = token;
    this.#closeReason = undefined;
    this.#serverDisconnect = undefined;
    const { settings, clock } = this.#parts;
    // A server that accepts TCP and never finishes the TLS or WebSocket handshake would leave
    // the attempt pending for ever: it is abandoned (and closed if it ever opens) at the timeout.
    const timeoutMs = settings.session.connectTimeoutMs;
    this.#openTimer = clock.setTimer(clock.now() + timeoutMs, () => {
      this.#openFailed(token, new ConnectionError(`could not connect: no connection within ${timeoutMs} ms`));
    });
    const brokerIndex = this.#current;
    const broker = this.#parts.brokers[brokerIndex]!;
    // Opens the attempt's connection through `transport`; `opened` tells the session once it is open.
    const open = (transport: Transport, opened: OpenedInput): void => {
      if (this.#attemptToken !== token) return;
      transport
        .connect({
          data: (chunk) => this.#attemptToken === token && this.#onData(chunk),
          close: (error) => {
            if (this.#attemptToken === token) this.#onClose(error);
          },
          drain: () => {
            if (this.#attemptToken === token && this.#blocked) {
              this.#blocked = false;
              this.#dispatch({ type: 'transportDrained' });
            }
          },
        })
        .then(
          (connection) => {
            if (this.#attemptToken !== token) {
              connection.close();
              return;
            }
            this.#cancelOpenTimer();
            this.#connection = connection;
            this.#blocked = false;
            this.#dispatch(opened);
            if (this.#attemptToken !== token) return;
            // After connectionOpened: the session has chosen the version it speaks to this broker.
            const maximumPacketSize = settings.session.maximumPacketSize;
            this.#decoder = new FrameDecoder(
              { version: this.#parts.session.protocolVersion, ...(maximumPacketSize === undefined ? {} : { maximumPacketSize }) },
              decodeFromServer,
            );
          },
          (error: unknown) => {
            this.#openFailed(token, new ConnectionError(`could not connect: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
          },
        );
    };
    const hook = this.#parts.beforeConnect;
    if (hook === undefined) return open(broker.transport, openedInput(brokerIndex, broker));
    // Credentials for this attempt: what asks for them and checks them is loaded only by clients with a hook.
    const fail = (error: MqttError) => this.#openFailed(token, error);
    const attempt = { attempt: ++this.#attemptsEver, brokerIndex };
    import('./attempt-credentials').then(
      ({ beforeAttempt }) => beforeAttempt(hook, attempt, broker, openedInput(brokerIndex, broker), this.#parts, open, fail, AuthenticationError),
      (error: unknown) => fail(new AuthenticationError('could not load beforeConnect', { cause: error })),
    );
  }

  /** Attempt `token` could not open a connection (unless it was abandoned already). */
  #openFailed(token: object, failure: MqttError): void {
    if (this.#attemptToken !== token) return;
    this.#attemptToken = undefined;
    this.#cancelOpenTimer();
    this.#lastFailure = failure;
    this.#events.emit('disconnect', { error: failure });
    if (this.#roundEnds()) this.#connectWaiters.rejectAll(failure);
    this.#scheduleReconnect(failure);
  }

  #cancelOpenTimer(): void {
    this.#openTimer?.cancel();
    this.#openTimer = undefined;
  }

  /** Decodes and hands on what arrived; true when it was QoS 0 messages only and nothing is awaited (see `TransportHandlers.data`). */
  #onData(chunk: Uint8Array): boolean {
    const decoder = this.#decoder;
    if (decoder === undefined) return false;
    const tap = this.tap;
    decoder.sizes = tap && [];
    let packets: Packet[];
    let failure: DecodeError | undefined;
    try {
      packets = decoder.push(chunk);
    } catch (error) {
      failure = error as DecodeError;
      packets = failure.precedingPackets;
    }
    let quiet = failure === undefined;
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i]!;
      tap?.('in', packet, decoder.sizes![i]!);
      if (packet.type !== 'publish' || packet.qos !== 0) quiet = false;
      this.#dispatch({ type: 'packetReceived', packet });
    }
    if (failure !== undefined) this.#dispatch({ type: 'decodeFailed', error: failure });
    return quiet && this.#parts.session.isIdle();
  }

  #onClose(error: Error | undefined): void {
    this.#attemptToken = undefined;
    this.#connection = undefined;
    this.#decoder = undefined;
    const wasConnected = this.#phase === 'connected';
    const backoff = this.#parts.settings.reconnect;
    // Only a connection that stayed up resets the backoff: one that a broker accepts and drops
    // at once counts as a failed attempt.
    if (wasConnected && backoff !== false && this.#parts.clock.now() - this.#connectedAt >= backoff.stableAfterMs) this.#attempts = 0;
    this.#dispatch({ type: 'connectionLost' });
    const reason =
      this.#closeReason ??
      (error === undefined
        ? this.#ending
          ? undefined
          : new ConnectionError('the connection closed')
        : new ConnectionError(`the connection failed: ${error.message}`, { cause: error }));
    const info: DisconnectInfo = {};
    if (reason !== undefined) {
      info.error = reason;
      this.#lastFailure = reason;
    }
    if (this.#serverDisconnect !== undefined) Object.assign(info, this.#serverDisconnect);
    if (this.#phase !== 'ended') this.#events.emit('disconnect', info);
    // A refusal that is retried at once (the fallback to 3.1.1) is not the outcome waited for.
    if (!wasConnected && !this.#retryNow && this.#roundEnds()) this.#connectWaiters.rejectAll(reason ?? new ConnectionError('the connection closed before CONNACK'));
    this.#closed?.resolve();
    if (!this.#ending) this.#scheduleReconnect(reason);
  }

  #scheduleReconnect(cause: MqttError | undefined): void {
    if (this.#phase === 'ended' || this.#ending) return;
    const backoff = this.#parts.settings.reconnect;
    // Without reconnect, the first connection still tries each broker of the list once.
    if (this.#phase === 'stopped' || (backoff === false && !this.#retryNow && (this.#connectInfo !== undefined || this.#roundEnds()))) {
      this.#phase = 'stopped';
      return;
    }
    this.#phase = 'waiting';
    const events = this.#events;
    if (this.#retryNow) {
      // The fallback to 3.1.1: straight away, not after a backoff.
      this.#retryNow = false;
      events.emit('reconnecting', withCause({ attempt: this.#attempts + 1, delayMs: 0 }, this.#lastFailure ?? cause));
      queueMicrotask(() => this.#connect());
      return;
    }
    const { clock, settings, brokers } = this.#parts;
    this.#attempts++;
    this.#current = (this.#current + 1) % brokers.length;
    // Within a round the next broker is tried at once; a round that reached none backs off.
    const endOfRound = this.#attempts % brokers.length === 0;
    const delayMs = endOfRound ? backoffDelay(this.#attempts / brokers.length - 1, backoff as BackoffOptions, settings.random) : 0;
    events.emit('reconnecting', withCause({ attempt: this.#attempts, delayMs }, cause));
    this.#reconnectTimer = clock.setTimer(clock.now() + delayMs, () => {
      this.#reconnectTimer = undefined;
      this.#connect();
    });
  }

  /**
   * Whether the attempt that just failed ends a round: every broker of the list has failed since
   * the last connection that stayed up. Only then is whoever waits for a connection told.
   */
  #roundEnds(): boolean {
    return (this.#attempts + 1) % this.#parts.brokers.length === 0;
  }
}

function withCause<T extends object>(info: T, cause: MqttError | undefined): T & { error?: MqttError } {
  return cause === undefined ? info : { ...info, error: cause };
}
