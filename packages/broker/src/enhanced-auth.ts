import { type AuthPacket, ReasonCode, reasonCodeName } from '@courier/core';
import { andThen, callHook, type MaybePromise } from './maybe-async';
import type { AuthConversation, AuthOutcome } from './options';

const REFUSED: AuthOutcome = { result: 'fail' };

/** What an exchange needs of its connection's protocol handler. */
export interface AuthHost {
  /** Whether CONNACK has accepted the connection (so an exchange is a re-authentication). */
  connected(): boolean;
  /** Whether the connection is gone. */
  closed(): boolean;
  send(packet: AuthPacket): void;
  log(line: string): void;
  /** At connect: the conversation accepted, as `username` when it says; `data` goes in CONNACK. */
  accept(username: string | undefined, data: Uint8Array | undefined): MaybePromise<void>;
  /** At connect: CONNACK with `reasonCode`, then close. */
  refuse(reasonCode: number, reason: string): void;
  /** Once connected: DISCONNECT with `reasonCode`, then close. */
  fail(reasonCode: number, reason: string): void;
}

/**
 * The broker's side of one connection's enhanced authentication [MQTT-4.12]: whose turn it is,
 * what the client's AUTH may be, and what the conversation's outcome sends. The conversation
 * (the method's logic, SCRAM say) is the application's; a throw or a rejection from it refuses,
 * and is logged without the data.
 */
export class AuthExchange {
  /** Whose move it is: nobody's between exchanges, the client's after a challenge, the conversation's while it thinks. */
  #turn: 'idle' | 'client' | 'conversation' = 'idle';

  constructor(
    readonly method: string,
    private readonly conversation: AuthConversation,
    private readonly host: AuthHost,
  ) {}

  /** CONNECT's Authentication Data: the exchange at connect begins. */
  start(data: Uint8Array | undefined): MaybePromise<void> {
    return this.#step(() => this.conversation.start(data, false), 'start');
  }

  /** An AUTH from the client: an answer to our challenge, or the start of a re-authentication. */
  onAuth(packet: AuthPacket): MaybePromise<void> {
    const { host } = this;
    if (packet.properties?.authenticationMethod !== this.method) {
      return host.fail(ReasonCode.BadAuthenticationMethod, 'AUTH with another authentication method than CONNECT'); // [MQTT-4.12.0-5]
    }
    const reasonCode = packet.reasonCode ?? 0;
    const data = packet.properties.authenticationData;
    if (reasonCode === ReasonCode.ContinueAuthentication && this.#turn === 'client') {
      return this.#step(() => this.conversation.continue(data), 'continue');
    }
    if (reasonCode === ReasonCode.ReAuthenticate && host.connected() && this.#turn === 'idle') {
      host.log('re-authenticates'); // [MQTT-4.12.1-1]
      return this.#step(() => this.conversation.start(data, true), 'start');
    }
    return host.fail(ReasonCode.ProtocolError, `AUTH ${reasonCodeName(reasonCode)} out of turn`);
  }

  #step(call: () => AuthOutcome | Promise<AuthOutcome>, what: string): MaybePromise<void> {
    this.#turn = 'conversation';
    const outcome = callHook(call, REFUSED, (error) => this.host.log(`${this.method} ${what} threw: ${String(error)}`));
    return andThen(outcome, (answer) => this.#outcome(answer));
  }

  /** What the conversation decided: challenge, accept, or refuse (at connect, or on re-authentication). */
  #outcome(answer: AuthOutcome): MaybePromise<void> {
    const valid = typeof answer === 'object' && answer !== null && ['continue', 'success', 'fail'].includes(answer.result);
    const outcome = valid ? answer : REFUSED;
    this.#turn = outcome.result === 'continue' ? 'client' : 'idle';
    const { host } = this;
    if (host.closed()) return;
    const reauthentication = host.connected();
    if (outcome.result === 'continue') {
      host.send(this.packet(ReasonCode.ContinueAuthentication, outcome.data)); // [MQTT-4.12.0-2]
      return;
    }
    if (outcome.result === 'fail') {
      const reasonCode = outcome.reasonCode ?? ReasonCode.NotAuthorized;
      if (!reauthentication) return host.refuse(reasonCode, 'enhanced authentication failed'); // [MQTT-4.12.0-4]
      // [MQTT-4.12.1-2]: DISCONNECT; it has no Bad user name or password (3.14.2.1), so that one is Not authorized.
      return host.fail(reasonCode === ReasonCode.BadUserNameOrPassword ? ReasonCode.NotAuthorized : reasonCode, 're-authentication failed');
    }
    if (!reauthentication) return host.accept(outcome.username, outcome.data);
    host.send(this.packet(ReasonCode.Success, outcome.data));
    host.log('re-authenticated');
  }

  /** An AUTH with the method [MQTT-4.12.0-5]: a challenge (0x18) or a re-authentication's success (0x00). */
  packet(reasonCode: 0x00 | 0x18, data: Uint8Array | undefined): AuthPacket {
    return { type: 'auth', reasonCode, properties: data === undefined ? { authenticationMethod: this.method } : { authenticationMethod: this.method, authenticationData: data } };
  }
}
