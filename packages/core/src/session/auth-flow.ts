import type { AuthPacket, ConnackPacket, ConnectPacket, Packet } from '../codec/packet';
import type { AuthProperties } from '../codec/properties';
import type { ConnectionError, MqttError, ProtocolError } from '../errors';
import type { SessionContext } from './session-context';
import type { AuthStep, SessionInput } from './session-types';

/**
 * The error classes the flow throws, handed in by the session: this module is loaded lazily, and
 * importing them here would split them into a chunk of their own in every application's start.
 */
export interface AuthFlowErrors {
  ProtocolError: typeof ProtocolError;
  ConnectionError: typeof ConnectionError;
}

/** One exchange of AUTH packets: at connect, or a re-authentication on an open connection. */
interface Exchange {
  readonly id: number;
  readonly reauthentication: boolean;
  /** Who is to answer next: the application's handler, or the broker. */
  waiting: 'application' | 'broker';
  step: AuthStep;
  /** A re-authentication fails after this (`now` value); at connect, the connect timeout rules. */
  readonly deadline: number;
  /** At connect: the CONNECT that waits for its initial Authentication Data. */
  connect?: ConnectPacket;
  /** At connect: the accepted CONNACK that waits for the handler to verify its data... */
  connack?: ConnackPacket;
  /** ...and what the broker sent after it, which waits as well. */
  held?: Packet[];
}

/**
 * Enhanced authentication [MQTT-4.12], the session's half: which packet goes when, and what the
 * broker may send. The application's handler is asynchronous, so the session never calls it: it
 * emits an `authenticate` action and is told the answer with `authAnswered` or `authFailed`,
 * matched by the exchange's id (an answer for a connection that has gone is ignored).
 *
 * At connect: `start` (data for CONNECT), then `continue` for each AUTH 0x18 of the broker, then
 * `success` with the CONNACK's data, which the handler verifies before the connection counts as
 * accepted. Re-authentication [MQTT-4.12.1-1]: `start` (data for AUTH 0x19), `continue` for each
 * AUTH 0x18, `success` on the broker's AUTH 0x00. The connect timeout bounds the whole exchange
 * at connect, and each re-authentication.
 */
export class AuthFlow {
  readonly #ctx: SessionContext;
  readonly #accept: (connack: ConnackPacket, held: Packet[]) => void;
  readonly #errors: AuthFlowErrors;
  #exchange: Exchange | undefined;
  #nextId = 1;

  /** `accept` finishes a CONNACK once its final data is verified, then handles what came after it. */
  constructor(ctx: SessionContext, accept: (connack: ConnackPacket, held: Packet[]) => void, errors: AuthFlowErrors) {
    this.#ctx = ctx;
    this.#accept = accept;
    this.#errors = errors;
  }

  /** The Authentication Method in use (the session makes a flow only with one, and never falls back to 3.1.1 then). */
  get method(): string | undefined {
    return this.#ctx.options.authenticationMethod;
  }

  /** The inputs that concern enhanced authentication: the handler's answers, and a request to re-authenticate. */
  handle(input: SessionInput & { type: 'authAnswered' | 'authFailed' | 'reauthenticateRequested' }): void {
    if (input.type === 'authAnswered') this.onAnswered(input.exchange, input.data);
    else if (input.type === 'authFailed') this.onFailed(input.exchange, input.error);
    else this.reauthenticate();
  }

  /** While a CONNACK waits for the handler to verify it, what comes after it waits too: true when `packet` does. */
  hold(packet: Packet): boolean {
    const exchange = this.#exchange;
    if (exchange?.connack === undefined) return false;
    (exchange.held ??= []).push(packet);
    return true;
  }

  /** A new connection: false when there is no method (send CONNECT now); else CONNECT waits for the handler's data. */
  start(connect: ConnectPacket): boolean {
    if (this.method === undefined) return false;
    this.#begin(false).connect = connect;
    return true;
  }

  /** Re-authenticate on the open connection; the outcome is a `reauthenticated` event. */
  reauthenticate(): void {
    const link = this.#ctx.link;
    if (link === null || !link.open) return this.#reauthenticated(new this.#errors.ConnectionError('not connected: nothing to re-authenticate'));
    if (this.#exchange !== undefined) return; // one at a time: the one under way answers
    this.#begin(true);
  }

  /** The broker's AUTH. */
  onAuth(packet: AuthPacket): void {
    const method = this.method;
    const exchange = this.#exchange;
    if (method === undefined || exchange === undefined || exchange.waiting !== 'broker') {
      return this.#ctx.fail(new this.#errors.ProtocolError(0x82 /* Protocol Error */, 'the broker sent AUTH when no authentication exchange awaited one'));
    }
    if (packet.properties?.authenticationMethod !== method) {
      // [MQTT-4.12.0-5]: every AUTH carries the method of CONNECT.
      return this.#ctx.fail(new this.#errors.ProtocolError(0x8c /* Bad Authentication Method */, 'the broker sent AUTH with another authentication method'));
    }
    const reasonCode = packet.reasonCode ?? 0;
    if (reasonCode === 0x18 /* Continue Authentication */) return this.#ask(exchange, 'continue', packet.properties.authenticationData);
    // Success comes in CONNACK at connect, in AUTH only to end a re-authentication (4.12.1).
    if (reasonCode === 0x00 && exchange.reauthentication) return this.#ask(exchange, 'success', packet.properties.authenticationData);
    this.#ctx.fail(new this.#errors.ProtocolError(0x82 /* Protocol Error */, `the broker sent AUTH with reason code 0x${reasonCode.toString(16)} here`));
  }

  /**
   * A successful CONNACK: true when the flow holds it until the handler has verified its data,
   * false when there is no exchange (no method). A protocol error fails the connection.
   */
  holdsConnack(connack: ConnackPacket): boolean {
    const method = this.method;
    const exchange = this.#exchange;
    const sentMethod = connack.properties?.authenticationMethod;
    if (method === undefined) return false;
    if (exchange === undefined || exchange.reauthentication || exchange.waiting !== 'broker') {
      this.#ctx.fail(new this.#errors.ProtocolError(0x82 /* Protocol Error */, 'the broker sent CONNACK before the authentication exchange reached it'));
      return true;
    }
    // [MQTT-4.12.0-5]: a broker that leaves the method out of CONNACK bends the spec harmlessly; another method does not.
    if (sentMethod !== undefined && sentMethod !== method) {
      this.#ctx.fail(new this.#errors.ProtocolError(0x8c /* Bad Authentication Method */, 'the broker accepted another authentication method than the one asked for'));
      return true;
    }
    exchange.connack = connack;
    this.#ask(exchange, 'success', connack.properties?.authenticationData);
    return true;
  }

  /** The handler answered step `exchange`. */
  onAnswered(id: number, data: Uint8Array | undefined): void {
    const exchange = this.#exchange;
    if (exchange === undefined || exchange.id !== id || exchange.waiting !== 'application') return;
    const method = this.method!;
    exchange.waiting = 'broker';
    if (exchange.step === 'success') {
      this.#exchange = undefined;
      if (exchange.reauthentication) this.#reauthenticated(undefined);
      else this.#accept(exchange.connack!, exchange.held ?? []);
      return;
    }
    const properties: AuthProperties = { authenticationMethod: method };
    if (data !== undefined) properties.authenticationData = data;
    if (exchange.step === 'start' && !exchange.reauthentication) {
      const connect = exchange.connect!;
      delete exchange.connect;
      this.#ctx.send({ ...connect, properties: { ...connect.properties, ...properties } });
      return;
    }
    // [MQTT-4.12.0-3]: an answer to the broker is 0x18; [MQTT-4.12.1-1]: a re-authentication starts with 0x19.
    const reasonCode = exchange.step === 'start' ? 0x19 /* Re-authenticate */ : 0x18; /* Continue Authentication */
    this.#ctx.send({ type: 'auth', reasonCode, properties });
  }

  /** The handler threw for step `exchange`: the connection closes. */
  onFailed(id: number, error: MqttError): void {
    const exchange = this.#exchange;
    if (exchange === undefined || exchange.id !== id || exchange.waiting !== 'application') return;
    this.#end(error);
  }

  /** When a re-authentication times out (a `now` value); Infinity when none is under way. */
  nextDeadline(): number {
    return this.#exchange?.reauthentication === true ? this.#exchange.deadline : Infinity;
  }

  checkTimeout(): void {
    const exchange = this.#exchange;
    if (exchange?.reauthentication === true && this.#ctx.now >= exchange.deadline) {
      this.#end(new this.#errors.ConnectionError(`re-authentication did not finish within ${this.#ctx.options.connectTimeoutMs} ms`));
    }
  }

  /** The connection is gone or going (`why`, when known): an exchange under way ends with it. */
  onConnectionLost(why?: MqttError): void {
    const exchange = this.#exchange;
    this.#exchange = undefined;
    if (exchange?.reauthentication === true) this.#reauthenticated(why ?? new this.#errors.ConnectionError('the connection closed during re-authentication'));
  }

  #begin(reauthentication: boolean): Exchange {
    const ctx = this.#ctx;
    const exchange: Exchange = { id: this.#nextId++, reauthentication, waiting: 'application', step: 'start', deadline: ctx.now + ctx.options.connectTimeoutMs };
    this.#exchange = exchange;
    ctx.emit({ type: 'authenticate', exchange: exchange.id, step: 'start', reauthentication });
    return exchange;
  }

  #ask(exchange: Exchange, step: AuthStep, data: Uint8Array | undefined): void {
    exchange.step = step;
    exchange.waiting = 'application';
    const action = { type: 'authenticate' as const, exchange: exchange.id, step, reauthentication: exchange.reauthentication };
    this.#ctx.emit(data === undefined ? action : { ...action, data });
  }

  /** Ends the exchange with `error` and closes the connection; a 5.0 DISCONNECT first once connected [MQTT-4.12.1-2]. */
  #end(error: MqttError): void {
    const exchange = this.#exchange;
    this.#exchange = undefined;
    if (exchange?.reauthentication === true) {
      this.#reauthenticated(error);
      if (this.#ctx.link?.open === true) this.#ctx.send({ type: 'disconnect', reasonCode: 0x80 /* Unspecified Error */ });
    }
    this.#ctx.closeConnection(error);
  }

  #reauthenticated(error: MqttError | undefined): void {
    this.#ctx.emit({ type: 'notify', event: error === undefined ? { name: 'reauthenticated' } : { name: 'reauthenticated', error } });
  }
}
