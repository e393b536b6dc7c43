import type { AuthPacket } from '@courier/core';
import { callHook, type MaybePromise } from './maybe-async';
import type { AuthConversation, AuthOutcome } from './options';

const REFUSED: AuthOutcome = { result: 'fail' };

/**
 * The broker's side of one connection's enhanced authentication [MQTT-4.12]: whose turn it is,
 * and the AUTH packets it sends. The conversation (the method's logic, SCRAM say) is the
 * application's; a throw or a rejection from it refuses, and is logged without the data.
 */
export class AuthExchange {
  /** Whose move it is: nobody's between exchanges, the client's after a challenge, the conversation's while it thinks. */
  #turn: 'idle' | 'client' | 'conversation' = 'idle';

  constructor(
    readonly method: string,
    private readonly conversation: AuthConversation,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether the client's AUTH 0x18 is awaited. */
  get awaitingClient(): boolean {
    return this.#turn === 'client';
  }

  /** Whether no exchange is under way: a re-authentication may start. */
  get idle(): boolean {
    return this.#turn === 'idle';
  }

  /** The client's initial data (CONNECT, or AUTH 0x19). */
  start(data: Uint8Array | undefined, reauthentication: boolean): MaybePromise<AuthOutcome> {
    return this.#step(() => this.conversation.start(data, reauthentication), 'start');
  }

  /** The client's answer to a challenge (AUTH 0x18). */
  continue(data: Uint8Array | undefined): MaybePromise<AuthOutcome> {
    return this.#step(() => this.conversation.continue(data), 'continue');
  }

  /** The AUTH that carries a challenge (0x18) or a re-authentication's success (0x00), with the method [MQTT-4.12.0-5]. */
  packet(reasonCode: 0x00 | 0x18, data: Uint8Array | undefined): AuthPacket {
    return { type: 'auth', reasonCode, properties: data === undefined ? { authenticationMethod: this.method } : { authenticationMethod: this.method, authenticationData: data } };
  }

  #step(call: () => AuthOutcome | Promise<AuthOutcome>, what: string): MaybePromise<AuthOutcome> {
    this.#turn = 'conversation';
    const outcome = callHook(call, REFUSED, (error) => this.log(`${this.method} ${what} threw: ${String(error)}`));
    const settle = (answer: AuthOutcome): AuthOutcome => {
      const valid = typeof answer === 'object' && answer !== null && ['continue', 'success', 'fail'].includes(answer.result);
      this.#turn = valid && answer.result === 'continue' ? 'client' : 'idle';
      return valid ? answer : REFUSED;
    };
    return outcome instanceof Promise ? outcome.then(settle) : settle(outcome);
  }
}
