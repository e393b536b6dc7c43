import type { AuthenticationError, MqttError } from '../errors';
import type { Transport } from '../ports/transport';
import type { Session } from '../session/session';
import type { OpenedInput, ResolvedBroker } from './broker-list';
import type { BeforeConnect } from './client-options';
import type { AttemptCredentials, ConnectAttempt } from './client-types';

/**
 * Asks `beforeConnect` for the credentials of one attempt and opens it with them: its user name,
 * password or URL replace the configured ones. A hook that throws or rejects, or answers what
 * cannot be used, fails the attempt with an AuthenticationError whose message never repeats the
 * answer (a token, a pre-signed URL); the cause is what the hook threw, never what it answered.
 *
 * Loaded lazily by the connection loop, and importing nothing at run time (the error class is
 * handed in), so that it adds nothing to the start of an application without a hook.
 */
export function beforeAttempt(
  hook: BeforeConnect,
  attempt: { attempt: number; brokerIndex: number },
  broker: ResolvedBroker,
  opened: OpenedInput,
  parts: { session: Session; transportFor?: ((url: string) => Transport) | undefined },
  open: (transport: Transport, opened: OpenedInput) => void,
  fail: (error: MqttError) => void,
  AuthError: typeof AuthenticationError,
): void {
  const info: ConnectAttempt = broker.url === undefined ? attempt : { ...attempt, url: broker.url };
  new Promise<AttemptCredentials | undefined | void>((resolve) => resolve(hook(info))).then(
    (answer) => {
      const prepared = attemptWith(answer ?? {}, opened, broker.transport, parts);
      if (typeof prepared === 'string') fail(new AuthError(`the beforeConnect hook ${prepared}`));
      else open(prepared.transport, prepared.input);
    },
    (error: unknown) => fail(new AuthError('the beforeConnect hook failed', { cause: error })),
  );
}

/** The transport and `connectionOpened` of an attempt with `answer`, or why it cannot be used (never quoting it). */
function attemptWith(
  answer: AttemptCredentials,
  opened: OpenedInput,
  configured: Transport,
  parts: { session: Session; transportFor?: ((url: string) => Transport) | undefined },
): { transport: Transport; input: OpenedInput } | string {
  if (typeof answer !== 'object' || answer === null) return 'answered something other than an object';
  const { username, password, url } = answer;
  if (username !== undefined && typeof username !== 'string') return 'answered a username that is not a string';
  const bytes = typeof password === 'string' ? new TextEncoder().encode(password) : password;
  if (bytes !== undefined && !(bytes instanceof Uint8Array)) return 'answered a password that is neither a string nor a Uint8Array';
  let transport = configured;
  if (url !== undefined) {
    if (typeof url !== 'string') return 'answered a url that is not a string';
    if (parts.transportFor === undefined) return 'answered a url, but this client was not made from URLs';
    try {
      transport = parts.transportFor(url);
    } catch {
      // Nothing of what the URL parser threw: it may quote the URL, and a pre-signed URL is a credential.
      return 'answered a url that cannot be used';
    }
  }
  const input: OpenedInput = { ...opened, freshCredentials: true };
  if (username !== undefined) input.username = username;
  if (bytes !== undefined) input.password = bytes;
  const { session } = parts;
  if (session.policy.passwordNeedsUsername && bytes !== undefined && (input.username ?? session.options.username) === undefined) {
    return 'answered a password without a user name, which MQTT 3.1.1 does not allow';
  }
  return { transport, input };
}
