import { AuthenticationError } from '../errors';
import type { SessionAction, SessionInput } from '../session/session-types';
import type { Authenticate } from './client-options';

type AuthenticateAction = SessionAction & { type: 'authenticate' };

/**
 * Runs one step of enhanced authentication: calls the application's handler (which may be
 * asynchronous, which is why this is the driver's work and not the session's) and tells the
 * session its answer. A throw, a rejection or an answer that is not bytes fails the step with
 * an AuthenticationError whose message names the step only: never the data.
 */
export function runAuthStep(handler: Authenticate, action: AuthenticateAction, dispatch: (input: SessionInput) => void): void {
  const { exchange, step, reauthentication } = action;
  const what = `${reauthentication ? 're-authentication' : 'authentication'} (${step})`;
  new Promise<Uint8Array | undefined | void>((resolve) => resolve(handler(action.data, { step, reauthentication }))).then(
    (data) => {
      if (data !== undefined && !(data instanceof Uint8Array)) {
        dispatch({ type: 'authFailed', exchange, error: new AuthenticationError(`the authenticate handler answered ${what} with something other than a Uint8Array`) });
      } else {
        dispatch(data === undefined || step === 'success' ? { type: 'authAnswered', exchange } : { type: 'authAnswered', exchange, data });
      }
    },
    (error: unknown) => dispatch({ type: 'authFailed', exchange, error: new AuthenticationError(`the authenticate handler refused ${what}`, { cause: error }) }),
  );
}
