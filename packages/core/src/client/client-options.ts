import type { ProtocolVersion, QoS } from '../codec/packet';
import type { ConnectProperties, WillProperties } from '../codec/properties';
import { utf8Length } from '../codec/utf8';
import { InvalidArgumentError } from '../errors';
import { MemoryOutbox } from '../outbox/memory-outbox';
import type { Clock } from '../ports/clock';
import type { OutboxStore } from '../ports/outbox-store';
import type { Transport } from '../ports/transport';
import type { SessionOptions } from '../session/session-types';
import { topicNameProblem } from '../topic/topic-filter';
import { systemClock } from '../clock/system-clock';
import type { BackoffOptions } from './backoff';
import type { BrokerEndpoint } from './broker-list';
import type { AttemptCredentials, AuthRequest, ConnectAttempt } from './client-types';

/** Called before every connection attempt; see `ClientOptions.beforeConnect`. */
export type BeforeConnect = (attempt: ConnectAttempt) => AttemptCredentials | undefined | void | Promise<AttemptCredentials | undefined | void>;

/** The challenge handler of enhanced authentication; see `ClientOptions.authenticate`. */
export type Authenticate = (
  data: Uint8Array | undefined,
  request: AuthRequest,
) => Uint8Array | undefined | void | Promise<Uint8Array | undefined | void>;

/** The message a broker publishes if the connection ends without a clean DISCONNECT. */
export interface WillOptions {
  /** Where the broker publishes it: a topic name, no wildcards. */
  topic: string;
  payload: string | Uint8Array;
  /** 0 (default), 1 or 2. */
  qos?: QoS;
  /** Whether the broker keeps it as the topic's retained message. */
  retain?: boolean;
  /** 5.0: will delay interval, message expiry, content type, user properties, … */
  properties?: WillProperties;
}

/** Options of a client. Every one has a default; durations end in their unit. */
export interface ClientOptions {
  /** Default: a random `courier-…` id. A durable session needs a stable one. */
  clientId?: string;
  /** Start every connection with a clean session (default true). false keeps the session on the broker. */
  clean?: boolean;
  /** 5.0: seconds the broker keeps the session after a disconnect. Default: 0 when clean, else never expire. */
  sessionExpiryInterval?: number;
  /** Seconds between packets before a PINGREQ (default 60; 0 turns keep-alive off). */
  keepAlive?: number;
  /** Sent in CONNECT; `mqtt://user:pass@host` in a URL sets it too. */
  username?: string;
  /** Sent in CONNECT (a token, say); bytes are sent as they are, a string as UTF-8. */
  password?: string | Uint8Array;
  /**
   * Called before every connection attempt, first and reconnects alike, for credentials fetched
   * fresh (a short-lived token): what it answers replaces the configured user name, password or
   * URL for that attempt. With it, a refusal of the credentials (5.0: 0x86, 0x87; 3.1.1: 4, 5)
   * is retried after the backoff with its next answer; without it such a refusal is final. A
   * throw or rejection fails that attempt (an `AuthenticationError` on the `disconnect` and
   * `reconnecting` events, its `cause` what was thrown) and the next comes after the backoff.
   * The connect timeout covers the hook. Its answers are never logged or put in an error. (Not
   * a function: each attempt fails the same way, with the TypeError as the cause.)
   */
  beforeConnect?: BeforeConnect;
  /**
   * 5.0 enhanced authentication [MQTT-4.12]: the Authentication Method sent in CONNECT
   * ("SCRAM-SHA-256", say). Needs `authenticate`; `scramSha256()` gives both.
   */
  authenticationMethod?: string;
  /**
   * The challenge handler of enhanced authentication: given the broker's Authentication Data
   * (none at the `start` step) and the step, it answers with the data to send. At the `success`
   * step it verifies the broker's final data and throws to refuse it. A throw or rejection
   * closes the connection with an `AuthenticationError`; the connect timeout covers the exchange.
   */
  authenticate?: Authenticate;
  /** The message the broker publishes for us if the connection ends without a clean DISCONNECT. */
  will?: WillOptions;
  /** 5 (default) or 4. A broker that refuses 5.0 as unsupported makes the client fall back to 4, once. */
  protocolVersion?: ProtocolVersion;
  /**
   * QoS 1/2 messages unacknowledged at once, also capped by the broker's Receive Maximum
   * [MQTT-3.3.4-7] (default 1,000; a 3.1.1 broker sets no maximum). Measured in bench/RESULTS.md:
   * 100 made a burst wait for acks round trip after round trip; 5,000 and more stalled Aedes at
   * QoS 2 and slowed Mosquitto's QoS 2. What waits is sent a quarter of the window at a time.
   */
  maxInflight?: number;
  /** Without an ack this long: 3.1.1 resends in-session, 5.0 reconnects (default 30 s; 0: wait forever). */
  ackTimeoutMs?: number;
  /** How long to wait for CONNACK (default 30 s). */
  connectTimeoutMs?: number;
  /** How long to wait for PINGRESP (default 10 s, at most the keep-alive). */
  pingTimeoutMs?: number;
  /**
   * Reconnect with exponential backoff and full jitter (default 1 s to 30 s), or not at all. The
   * delay starts over only after a connection that stayed up `stableAfterMs` (default 10 s).
   */
  reconnect?: Partial<BackoffOptions> | false;
  /**
   * QoS 1/2 messages received and not yet acknowledged at most (default 1,000): those in the
   * application's hands count until it has them (or, with `manualAcks`, until `ack()`). 5.0
   * brokers are told, and send no more; a 3.1.1 broker has its own in-flight limit.
   */
  receiveMaximum?: number;
  /**
   * Acknowledge a received QoS 1/2 message only when the application calls its `ack()` (default
   * false: once every handler has been called and every stream has yielded it).
   */
  manualAcks?: boolean;
  /** 5.0: the largest packet we accept, in bytes. */
  maximumPacketSize?: number;
  /** 5.0: topic aliases the broker may use towards us (default 0: none). */
  topicAliasMaximum?: number;
  /**
   * 5.0: replace the topics we publish to by topic aliases (default false). Per connection, the
   * first message to a topic carries the topic and an alias, later ones the alias alone, up to
   * the broker's Topic Alias Maximum (the first topics keep theirs). Never stored; resends after
   * a reconnect carry the full topic. `properties.topicAlias` cannot be set beside it.
   */
  autoTopicAliases?: boolean;
  /** 5.0: other CONNECT properties (user properties, problem information; authentication has options of its own). */
  properties?: ConnectProperties;
  /** QoS 0 messages kept while offline (default 1,000); beyond, publish() is refused. */
  maxQueuedQoS0?: number;
  /** QoS 1/2 messages owed at most (default 100,000); beyond, publish() is refused. */
  maxQueuedMessages?: number;
  /** Where owed messages are kept (default: a MemoryOutbox, which does not survive a restart). */
  outbox?: OutboxStore;
  /** Time and timers (default: the system clock). */
  clock?: Clock;
  /** Randomness for the reconnect jitter (default Math.random). */
  random?: () => number;
  /** The `packet` event: `payloads: true` adds each PUBLISH's payload (default: its size only). */
  debug?: { payloads?: boolean };
}

/** Options of `createClient` in @courier/core: a transport to reach the broker, and the rest. */
export interface CreateClientOptions extends ClientOptions {
  /** How to reach the broker. Give `brokers` instead for several (a cluster's nodes). */
  transport?: Transport;
  /**
   * Several brokers, tried in order: a lost connection moves on to the next, at once, and the
   * reconnect backoff applies to each whole round of the list. The `connect` event's `url` says
   * which one was reached; the version spoken (a fallback to 3.1.1) is remembered per broker.
   */
  brokers?: readonly BrokerEndpoint[];
  /** The transport for a URL that `beforeConnect` answers with; `connect(url)` of a platform gives it. */
  transportFor?: (url: string) => Transport;
}

/** What the client itself needs, beyond the session's options. */
export interface ClientSettings {
  session: SessionOptions;
  reconnect: BackoffOptions | false;
  outbox: OutboxStore;
  clock: Clock;
  random: () => number;
  manualAcks: boolean;
  /** The `packet` event carries payloads. */
  debugPayloads: boolean;
  authenticate: Authenticate | undefined;
}

/**
 * Our default Receive Maximum: enough in flight for any link (1,000 messages per round trip),
 * few enough that what the application holds unacknowledged stays bounded in memory.
 */
const DEFAULT_RECEIVE_MAXIMUM = 1_000;

let encoder: TextEncoder | undefined;

export function toBytes(value: string | Uint8Array, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return (encoder ??= new TextEncoder()).encode(value);
  throw new InvalidArgumentError(`${what} must be a string or a Uint8Array`);
}

/** `value` when it is 0, 1 or 2 (a QoS, a retain handling); otherwise an InvalidArgumentError. */
export function zeroOneOrTwo(value: unknown, name: string): QoS {
  if (value !== 0 && value !== 1 && value !== 2) throw new InvalidArgumentError(`${name} must be 0, 1 or 2`);
  return value;
}

function whole(value: unknown, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value as number;
}

/**
 * What the core needs of its host beyond the language: TextEncoder and TextDecoder (MQTT strings
 * are UTF-8). A host without them (some React Native engines, embedded runtimes) learns it here,
 * by name, rather than from a failure inside the codec at the first packet.
 */
function checkHost(): void {
  const missing = (['TextEncoder', 'TextDecoder'] as const).filter((name) => typeof globalThis[name] !== 'function');
  if (missing.length > 0) {
    throw new InvalidArgumentError(`this runtime has no ${missing.join(' or ')}, which MQTT strings need: install a polyfill before creating a client (docs/ports.md)`);
  }
}

function randomClientId(): string {
  const bytes = new Uint8Array(6);
  // A host without Web Crypto (some embedded runtimes) gets a clear error, not a TypeError.
  if (typeof globalThis.crypto?.getRandomValues !== 'function') {
    throw new InvalidArgumentError('this runtime has no crypto.getRandomValues for a random client id: give a clientId');
  }
  globalThis.crypto.getRandomValues(bytes);
  return `courier-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Checks the options and fills in the defaults; a bad option throws InvalidArgumentError. */
export function resolveOptions(options: ClientOptions): ClientSettings {
  checkHost();
  const protocolVersion = options.protocolVersion ?? 5;
  if (protocolVersion !== 4 && protocolVersion !== 5) throw new InvalidArgumentError('protocolVersion must be 4 or 5');
  const clean = options.clean ?? true;
  const clientId = options.clientId ?? randomClientId();
  if (typeof clientId !== 'string' || utf8Length(clientId) < 0 || utf8Length(clientId) > 0xffff) {
    throw new InvalidArgumentError('clientId must be an MQTT string');
  }
  if (clientId === '' && !clean && protocolVersion === 4) {
    throw new InvalidArgumentError('MQTT 3.1.1 needs a client id to keep a session [MQTT-3.1.3-7]');
  }
  const keepAlive = whole(options.keepAlive ?? 60, 'keepAlive', 0, 0xffff);
  const session: SessionOptions = {
    clientId,
    clean,
    keepAlive,
    protocolVersion,
    fallbackToV4: protocolVersion === 5,
    maxInflight: whole(options.maxInflight ?? 1000, 'maxInflight', 1, 0xffff),
    ackTimeoutMs: whole(options.ackTimeoutMs ?? 30_000, 'ackTimeoutMs', 0, 2 ** 31),
    connectTimeoutMs: whole(options.connectTimeoutMs ?? 30_000, 'connectTimeoutMs', 1, 2 ** 31),
    pingTimeoutMs: whole(options.pingTimeoutMs ?? Math.min(10_000, Math.max(1, keepAlive) * 1000), 'pingTimeoutMs', 1, 2 ** 31),
    maxQueuedQoS0: whole(options.maxQueuedQoS0 ?? 1_000, 'maxQueuedQoS0', 0, 2 ** 31),
    maxQueuedMessages: whole(options.maxQueuedMessages ?? 100_000, 'maxQueuedMessages', 1, 2 ** 31),
  };
  // Keeping a session in 5.0 takes a Session Expiry Interval; without one it ends with the connection.
  const expiry = options.sessionExpiryInterval ?? (clean ? undefined : 0xffffffff);
  if (expiry !== undefined) session.sessionExpiryInterval = whole(expiry, 'sessionExpiryInterval', 0, 0xffffffff);
  session.receiveMaximum = whole(options.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM, 'receiveMaximum', 1, 0xffff);
  if (options.maximumPacketSize !== undefined) {
    session.maximumPacketSize = whole(options.maximumPacketSize, 'maximumPacketSize', 16, 268_435_460);
  }
  if (options.topicAliasMaximum !== undefined) {
    session.topicAliasMaximum = whole(options.topicAliasMaximum, 'topicAliasMaximum', 0, 0xffff);
  }
  if (options.autoTopicAliases === true) session.autoTopicAliases = true;
  const { authenticationMethod, authenticate, properties } = options;
  if (properties !== undefined) session.connectProperties = properties;
  // The two go together, with 5.0 (3.1.1 has no AUTH, so no fallback to it), and not through properties.
  const viaProperties = properties?.authenticationMethod !== undefined || properties?.authenticationData !== undefined;
  if (authenticationMethod !== undefined || authenticate !== undefined || viaProperties) {
    const length = typeof authenticationMethod === 'string' ? utf8Length(authenticationMethod) : 0;
    if (!(length > 0 && length <= 0xffff) || typeof authenticate !== 'function' || protocolVersion !== 5 || viaProperties) {
      throw new InvalidArgumentError('authenticationMethod (a string) and authenticate go together, with MQTT 5.0');
    }
    session.authenticationMethod = authenticationMethod!;
    session.fallbackToV4 = false;
  }
  if (options.username !== undefined) session.username = options.username;
  if (options.password !== undefined) session.password = toBytes(options.password, 'password');
  if (options.will !== undefined) {
    const { topic, payload, qos = 0, retain = false, properties } = options.will;
    const problem = topicNameProblem(topic);
    if (problem !== undefined) throw new InvalidArgumentError(`the will: ${problem}`);
    session.will = { topic, payload: toBytes(payload, 'the will payload'), qos: zeroOneOrTwo(qos, 'the will qos'), retain };
    if (properties !== undefined) session.will.properties = properties;
  }
  const reconnect =
    options.reconnect === false
      ? false
      : {
          initialDelayMs: whole(options.reconnect?.initialDelayMs ?? 1_000, 'reconnect.initialDelayMs', 0, 2 ** 31),
          maxDelayMs: whole(options.reconnect?.maxDelayMs ?? 30_000, 'reconnect.maxDelayMs', 0, 2 ** 31),
          stableAfterMs: whole(options.reconnect?.stableAfterMs ?? 10_000, 'reconnect.stableAfterMs', 0, 2 ** 31),
        };
  return {
    session,
    reconnect,
    outbox: options.outbox ?? new MemoryOutbox(),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    manualAcks: options.manualAcks === true,
    debugPayloads: options.debug?.payloads === true,
    authenticate,
  };
}
