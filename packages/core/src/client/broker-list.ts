import { InvalidArgumentError } from '../errors';
import type { Transport } from '../ports/transport';
import type { SessionInput } from '../session/session-types';
import { toBytes } from './client-options';

/**
 * One broker of a list, such as a node of a cluster: how to reach it, where it is (for the
 * `connect` event) and, when it differs from the client's, what to log in with.
 */
export interface BrokerEndpoint {
  transport: Transport;
  /** Where it is, as the `connect` event reports it: no credentials in it. */
  url?: string;
  /** For this broker only: the client's `username` otherwise. */
  username?: string;
  /** For this broker only: the client's `password` otherwise. */
  password?: string | Uint8Array;
}

/** A broker endpoint with its password in bytes, as the session sends it. */
export interface ResolvedBroker {
  transport: Transport;
  url?: string;
  username?: string;
  password?: Uint8Array;
}

/** The brokers a client tries in turn: `brokers`, or the one `transport`. */
export function resolveBrokers(options: { transport?: Transport | undefined; brokers?: readonly BrokerEndpoint[] | undefined }): ResolvedBroker[] {
  const given = options.brokers ?? (options.transport === undefined ? [] : [{ transport: options.transport }]);
  if (given.length === 0) throw new InvalidArgumentError('a client needs a transport');
  return given.map((broker, index) => {
    const resolved: ResolvedBroker = { transport: broker.transport };
    if (broker.url !== undefined) resolved.url = broker.url;
    if (broker.username !== undefined) resolved.username = broker.username;
    if (broker.password !== undefined) resolved.password = toBytes(broker.password, `brokers[${index}].password`);
    return resolved;
  });
}

/**
 * The brokers of one URL or a list, for a platform's `createClient(urls)`: `reach` turns a URL
 * into its endpoint (transport, URL without credentials, the credentials the URL carries); the
 * options' credentials win over the URL's, for every broker.
 */
export function brokersOf<Url>(
  urls: Url | readonly Url[],
  options: { username?: string; password?: string | Uint8Array },
  reach: (url: Url) => BrokerEndpoint,
): BrokerEndpoint[] {
  const list: readonly Url[] = Array.isArray(urls) ? urls : [urls as Url];
  if (list.length === 0) throw new InvalidArgumentError('no broker URL');
  return list.map((url) => {
    const broker = reach(url);
    if (options.username !== undefined) broker.username = options.username;
    if (options.password !== undefined) broker.password = options.password;
    return broker;
  });
}

/** The input that tells the session a connection opened. */
export type OpenedInput = SessionInput & { type: 'connectionOpened' };

/** The session's input for a connection opened to broker `index`, with that broker's credentials. */
export function openedInput(index: number, broker: ResolvedBroker): OpenedInput {
  const input: OpenedInput = { type: 'connectionOpened', broker: index };
  if (broker.username !== undefined) input.username = broker.username;
  if (broker.password !== undefined) input.password = broker.password;
  return input;
}
