import type { AuthenticationError, MqttError } from '../errors';
import type { SessionAction, SessionInput } from '../session/session-types';
import type { Authenticate } from './client-options';

// The client loads this module (and the session's flow with it) only when it has an
// authenticationMethod: applications without enhanced authentication never carry either.
export { AuthFlow } from '../session/auth-flow';

type AuthenticateAction = SessionAction & { type: 'authenticate' };

/**
 * Runs one step of enhanced authentication: calls the application's handler (which may be
 * asynchronous, which is why this is the driver's work and not the session's) and tells the
 * session its answer. A throw, a rejection or an answer that is not bytes fails the step with
 * an AuthenticationError whose message names the step only: never the data.
 */
export function runAuthStep(
  handler: Authenticate,
  action: AuthenticateAction,
  dispatch: (input: SessionInput) => void,
  // Handed in: importing it would split errors.ts into a start chunk of its own (see AuthFlowErrors).
  AuthError: typeof AuthenticationError,
): void {
  const { exchange, step, reauthentication } = action;
  const what = `${reauthentication ? 're-authentication' : 'authentication'} (${step})`;
  new Promise<Uint8Array | undefined | void>((resolve) => resolve(handler(action.data, { step, reauthentication }))).then(
    (data) => {
      if (data !== undefined && !(data instanceof Uint8Array)) {
        dispatch({ type: 'authFailed', exchange, error: new AuthError(`the authenticate handler answered ${what} with something other than a Uint8Array`) });
      } else {
        dispatch(data === undefined || step === 'success' ? { type: 'authAnswered', exchange } : { type: 'authAnswered', exchange, data });
      }
    },
    (error: unknown) => dispatch({ type: 'authFailed', exchange, error: new AuthError(`the authenticate handler refused ${what}`, { cause: error }) }),
  );
}

/**
 * The client's half of enhanced authentication, loaded with this module: it runs the handler's
 * steps and keeps the one `reauthenticate()` under way. The session's half is AuthFlow.
 */
export class EnhancedAuthentication {
  #reauthentication: { promise: Promise<void>; resolve: () => void; reject: (error: MqttError) => void } | undefined;

  constructor(
    private readonly handler: Authenticate,
    private readonly dispatch: (input: SessionInput) => void,
    private readonly AuthError: typeof AuthenticationError,
  ) {}

  step(action: AuthenticateAction): void {
    runAuthStep(this.handler, action, this.dispatch, this.AuthError);
  }

  /** Starts a re-authentication, or joins the one under way. */
  reauthenticate(): Promise<void> {
    if (this.#reauthentication === undefined) {
      let resolve!: () => void;
      let reject!: (error: MqttError) => void;
      const promise = new Promise<void>((ok, fail) => {
        resolve = ok;
        reject = fail;
      });
      // Not an unhandled rejection when the caller never looks; awaiting it still gives the error.
      promise.catch(() => undefined);
      this.#reauthentication = { promise, resolve, reject };
      this.dispatch({ type: 'reauthenticateRequested' });
    }
    return this.#reauthentication.promise;
  }

  /** The session's `reauthenticated` event: settles the re-authentication under way. */
  reauthenticated(error: MqttError | undefined): void {
    const reauthentication = this.#reauthentication;
    this.#reauthentication = undefined;
    if (error === undefined) reauthentication?.resolve();
    else reauthentication?.reject(error);
  }
}
