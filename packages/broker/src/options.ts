import type { SessionStore } from './session-store';
import { isValidTopicFilter } from './topic-filter';

/** Who a hook is asked about: the client id of the connection, and its user name if it gave one. */
export interface ClientInfo {
  clientId: string;
  username?: string;
}

/** What `authenticate` is given: the CONNECT's client id, user name and password. */
export interface AuthenticateRequest {
  clientId: string;
  username?: string;
  password?: Uint8Array;
}

/** What an enhanced authentication step comes to: send a challenge, accept, or refuse. */
export type AuthOutcome =
  /** Send AUTH 0x18 with `data` and wait for the client's answer. */
  | { result: 'continue'; data: Uint8Array }
  /**
   * Accept: CONNACK (or AUTH 0x00 on re-authentication) carries `data`, e.g. SCRAM's server
   * signature; `username` is who the client proved to be, as the authorize hooks then see it.
   */
  | { result: 'success'; data?: Uint8Array; username?: string }
  /** Refuse: CONNACK with `reasonCode` (default 0x87 Not authorized), or DISCONNECT on re-authentication. */
  | { result: 'fail'; reasonCode?: number };

/**
 * One connection's enhanced authentication [MQTT-4.12], made for it by an
 * `EnhancedAuthenticator`. Each method may answer at once or with a promise; a throw or a
 * rejection refuses.
 */
export interface AuthConversation {
  /** The client's first data: of CONNECT, or of its AUTH 0x19 when it re-authenticates [MQTT-4.12.1-1]. */
  start(data: Uint8Array | undefined, reauthentication: boolean): AuthOutcome | Promise<AuthOutcome>;
  /** The client's answer (AUTH 0x18) to our last `continue`. */
  continue(data: Uint8Array | undefined): AuthOutcome | Promise<AuthOutcome>;
}

/** Makes the conversation of a connection whose CONNECT asks for this authenticator's method. */
export type EnhancedAuthenticator = (client: ClientInfo) => AuthConversation;

/**
 * How to start a broker. Every field is optional: `createBroker()` listens on 127.0.0.1 on a free
 * TCP port, without WebSocket, without authentication.
 */
export interface BrokerOptions {
  /** The interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The TCP port; 0 (the default) picks a free one, read it back from `broker.port`. */
  port?: number;
  /** The WebSocket port (subprotocol `mqtt`); 0 picks a free one; left out, no WebSocket. */
  wsPort?: number;
  /** The certificate and key for the TLS listeners (PEM). Needed by `tlsPort` and `wssPort`. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** A TLS port (mqtts://); 0 picks a free one; left out, none. */
  tlsPort?: number;
  /** A WebSocket-over-TLS port (wss://); 0 picks a free one; left out, none. */
  wssPort?: number;
  /**
   * The largest packet, fixed header included, in both directions (default 1 MiB, as EMQX): a
   * larger one from a client closes its connection (5.0: DISCONNECT 0x95); a larger one for a
   * client is not sent, as if delivered (a 5.0 client's own smaller limit applies too).
   * Advertised in CONNACK (5.0).
   */
  maximumPacketSize?: number;
  /**
   * How many QoS 1/2 PUBLISH a 5.0 client may have unacknowledged towards the broker (default
   * 65,535, the protocol's). Advertised in CONNACK when lower; exceeding it gives DISCONNECT 0x93.
   */
  receiveMaximum?: number;
  /**
   * Messages a session holds beyond those in flight: while its client is offline, and while the
   * client's Receive Maximum window is full or its connection is congested (default 1000, like
   * Mosquitto's max_queued_messages). When full, new messages for that client are dropped.
   */
  maxQueuedMessages?: number;
  /**
   * QoS 1/2 messages in flight towards one client at once, whatever Receive Maximum it asks for
   * (default 1000; Mosquitto's max_inflight_messages). Bounds the memory a client that never
   * acknowledges can pin.
   */
  maxInflightMessages?: number;
  /** Topic aliases a 5.0 client may use (default 10, as Mosquitto); 0 refuses them. */
  topicAliasMaximum?: number;
  /**
   * The longest keep-alive, in seconds, a 5.0 client may use: one asking for more, or for none
   * (0), is given this as Server Keep Alive in CONNACK and must use it; one asking for less keeps
   * its own. As Mosquitto's max_keepalive. 3.1.1 clients keep theirs.
   */
  serverKeepAlive?: number;
  /** The longest Session Expiry Interval granted, in seconds (default: no limit). */
  maximumSessionExpiryInterval?: number;
  /** How long a connection may stay without sending CONNECT, in ms (default 10,000). */
  connectTimeoutMs?: number;
  /**
   * Decides whether a client may connect: `true` or `0` accepts; `false` refuses with Not
   * authorized; a number refuses with that CONNACK reason code (5.0 codes, mapped to the nearest
   * 3.1.1 return code for 3.1.1 clients; 1 to 5 are read as 3.1.1 return codes).
   */
  authenticate?(request: AuthenticateRequest): boolean | number | Promise<boolean | number>;
  /**
   * 5.0 enhanced authentication [MQTT-4.12], by Authentication Method: a CONNECT that names one
   * of these is authenticated by its conversation (`authenticate` is not asked), and may
   * re-authenticate later; one that names another method is refused with 0x8C Bad
   * authentication method. `scramSha256Authenticator` is one.
   * @example enhancedAuthenticators: { 'SCRAM-SHA-256': scramSha256Authenticator(scramUsers({ alice: 'secret' })) }
   */
  enhancedAuthenticators?: Record<string, EnhancedAuthenticator>;
  /** Decides whether a client may publish to a topic (wills included, checked at CONNECT). */
  authorizePublish?(client: ClientInfo, topic: string): boolean | Promise<boolean>;
  /**
   * Topic filters no client may subscribe to: a requested filter equal to one of them, or covered
   * by one (every topic it matches, the deny filter matches too: `a/#` covers `a/b` and `a/+`),
   * is refused with 0x80 in its SUBACK slot at both versions, before `authorizeSubscribe` is asked.
   * A wider filter (`#`) is granted and receives those topics: a fixture for conformance suites
   * and tests, not access control (that is `authorizeSubscribe`).
   */
  denySubscribe?: string[];
  /** Decides whether a client may subscribe to a filter: a refusal is 0x80 (3.1.1) or 0x87 (5.0) in SUBACK. */
  authorizeSubscribe?(client: ClientInfo, topicFilter: string): boolean | Promise<boolean>;
  /**
   * Keeps sessions (subscriptions, queued and in-flight messages, inbound QoS 2 ids awaiting
   * PUBREL, wills) and retained messages across a restart: loaded before the broker listens,
   * saved by `close()`. `fileSessionStore(path)` keeps them in a file. Left out, they end with
   * the broker.
   */
  sessionStore?: SessionStore;
  /** Where log lines go; silent by default. Never given passwords or payloads. */
  log?: (line: string) => void;
}

/** The options with every default filled in. */
export interface ResolvedOptions {
  host: string;
  port: number;
  wsPort: number | undefined;
  tls: { cert: string | Buffer; key: string | Buffer } | undefined;
  tlsPort: number | undefined;
  wssPort: number | undefined;
  maximumPacketSize: number;
  receiveMaximum: number;
  maxQueuedMessages: number;
  maxInflightMessages: number;
  topicAliasMaximum: number;
  serverKeepAlive: number | undefined;
  maximumSessionExpiryInterval: number;
  connectTimeoutMs: number;
  denySubscribe: string[];
  sessionStore: SessionStore | undefined;
  /** The caller's options object itself, so that hooks are called as its methods. */
  hooks: Hooks;
  log: (line: string) => void;
}

/** The hooks of `BrokerOptions`. */
export type Hooks = Pick<BrokerOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'enhancedAuthenticators'>;

/** The largest packet MQTT can express: a 268,435,455-byte body and a 5-byte fixed header. */
export const PROTOCOL_MAXIMUM_PACKET_SIZE = 268_435_455 + 5;
/** Session Expiry Interval meaning "never expires" (3.1.2.11.2). */
export const NEVER_EXPIRES = 0xffffffff;

function integer(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Checks the options and fills in the defaults; a bad value is a RangeError, thrown at once. */
export function resolveOptions(options: BrokerOptions = {}): ResolvedOptions {
  const wsPort = options.wsPort === undefined ? undefined : integer(options.wsPort, 0, 0, 65535, 'wsPort');
  const tlsPort = options.tlsPort === undefined ? undefined : integer(options.tlsPort, 0, 0, 65535, 'tlsPort');
  const wssPort = options.wssPort === undefined ? undefined : integer(options.wssPort, 0, 0, 65535, 'wssPort');
  if ((tlsPort !== undefined || wssPort !== undefined) && options.tls === undefined) {
    throw new RangeError('tlsPort and wssPort need tls: { cert, key }');
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: integer(options.port, 0, 0, 65535, 'port'),
    wsPort,
    tls: options.tls,
    tlsPort,
    wssPort,
    maximumPacketSize: integer(options.maximumPacketSize, 1 << 20, 16, PROTOCOL_MAXIMUM_PACKET_SIZE, 'maximumPacketSize'),
    receiveMaximum: integer(options.receiveMaximum, 65535, 1, 65535, 'receiveMaximum'),
    maxQueuedMessages: integer(options.maxQueuedMessages, 1000, 0, 2 ** 31, 'maxQueuedMessages'),
    maxInflightMessages: integer(options.maxInflightMessages, 1000, 1, 65535, 'maxInflightMessages'),
    topicAliasMaximum: integer(options.topicAliasMaximum, 10, 0, 65535, 'topicAliasMaximum'),
    serverKeepAlive:
      options.serverKeepAlive === undefined ? undefined : integer(options.serverKeepAlive, 0, 0, 65535, 'serverKeepAlive'),
    maximumSessionExpiryInterval: integer(
      options.maximumSessionExpiryInterval,
      NEVER_EXPIRES,
      0,
      NEVER_EXPIRES,
      'maximumSessionExpiryInterval',
    ),
    connectTimeoutMs: integer(options.connectTimeoutMs, 10_000, 1, 2 ** 31 - 1, 'connectTimeoutMs'),
    denySubscribe: denyFilters(options.denySubscribe),
    sessionStore: options.sessionStore,
    hooks: options,
    log: guarded(options.log),
  };
}

function denyFilters(filters: string[] | undefined): string[] {
  for (const filter of filters ?? []) {
    if (typeof filter !== 'string' || !isValidTopicFilter(filter)) {
      throw new RangeError(`denySubscribe: ${JSON.stringify(filter)} is not a valid topic filter`);
    }
  }
  return [...(filters ?? [])];
}

// A log function that throws must not break what the broker was doing when it logged.
function guarded(log: ((line: string) => void) | undefined): (line: string) => void {
  if (log === undefined) return () => {};
  return (line) => {
    try {
      log(line);
    } catch {
      // nowhere left to report it
    }
  };
}
