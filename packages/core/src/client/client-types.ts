import type { ConnackPacket, ProtocolVersion, QoS } from '../codec/packet';
import type { DisconnectProperties, PublishProperties, SubscribeProperties, UnsubscribeProperties } from '../codec/properties';
import type { MqttError } from '../errors';
import type { AuthStep, ReceivedMessage } from '../session/session-types';
import type { PacketEvent } from './packet-tap';

export type { AuthStep } from '../session/session-types';

/** What a `beforeConnect` hook is told about the connection attempt it prepares. */
export interface ConnectAttempt {
  /** 1 for the client's first attempt, then counting every attempt (reconnects included). */
  attempt: number;
  /** The broker about to be tried: its index in the list (0 when there is one)... */
  brokerIndex: number;
  /** ...and its URL as configured, when the transport or the list names it. */
  url?: string;
}

/**
 * What a `beforeConnect` hook answers: what this attempt connects with. What it leaves out stays
 * as configured (the broker's or the client's credentials, the broker's URL).
 */
export interface AttemptCredentials {
  username?: string;
  /** A token, say: bytes as they are, a string as UTF-8. */
  password?: string | Uint8Array;
  /**
   * Where to connect this time, e.g. a pre-signed WebSocket URL whose query is a credential. It
   * needs a client made from URLs (`connect`/`createClient` of `@courier/node` or
   * `@courier/browser`); events still name the broker as configured, never this URL.
   */
  url?: string;
}

/** What the `authenticate` handler of enhanced authentication is told along with the data. */
export interface AuthRequest {
  /**
   * `start`: give the initial Authentication Data (of CONNECT, or of the AUTH that starts a
   * re-authentication); `continue`: answer the broker's challenge; `success`: verify the broker's
   * final data (throw to refuse it: the connection is closed).
   */
  step: AuthStep;
  /** Whether this exchange is a re-authentication (`reauthenticate()`) rather than the connect. */
  reauthentication: boolean;
}

/** A received message, as `message` events and `messages()` give it. */
export interface Message extends ReceivedMessage {
  /**
   * With `manualAcks`, lets the message's PUBACK (QoS 1) or PUBREC (QoS 2) go: call it once the
   * message is processed (written to a database, say). Until then the broker still owes it and
   * sends it again after a crash. Acks leave in arrival order: an ack waits for the earlier ones.
   * Resolves when the ack is handed to the transport, or at once when there is none to send
   * (QoS 0, without `manualAcks`, the broker lost the session, the client ended). Calling it twice
   * is harmless.
   */
  ack(): Promise<void>;
}

/** Options of `messages()`. */
export interface MessagesOptions {
  /**
   * Unread messages at which the stream is full (default 1,000): delivery to every handler and
   * stream then waits until it is read down to half, QoS 1/2 messages unacknowledged.
   */
  highWaterMark?: number;
}

/** Options of one `publish()`: QoS (0 by default), retain, 5.0 properties, and an abort signal. */
export interface PublishOptions {
  /** 0 (default): at most once; 1: at least once, settles on PUBACK; 2: exactly once, settles on PUBCOMP. */
  qos?: QoS;
  /** Ask the broker to keep this message for future subscribers of the topic. */
  retain?: boolean;
  /** 5.0 properties: message expiry, content type, response topic, user properties, … */
  properties?: PublishProperties;
  /** Calls the message back while it has not gone out; once sent, it cannot be, and the error says so. */
  signal?: AbortSignal;
}

/** Options of one `subscribe()`: the maximum QoS to receive at (0 by default) and the 5.0 subscription options. */
export interface SubscribeOptions {
  /** The highest QoS to receive at; a message comes at the lower of this and its published QoS. */
  qos?: QoS;
  /** 5.0: do not send us our own messages. */
  noLocal?: boolean;
  /** 5.0: keep the RETAIN flag as published. */
  retainAsPublished?: boolean;
  /** 5.0: 0 send retained messages, 1 only for a new subscription, 2 never. */
  retainHandling?: 0 | 1 | 2;
  /** 5.0: subscription identifier and user properties. */
  properties?: SubscribeProperties;
}

/** Options of one `unsubscribe()`. */
export interface UnsubscribeOptions {
  /** 5.0: user properties. */
  properties?: UnsubscribeProperties;
}

/**
 * What a `connect` event and `whenConnected()` give: the accepted CONNACK. `sessionPresent` false
 * after asking to keep the session means the broker had lost it.
 */
export interface ConnectInfo {
  sessionPresent: boolean;
  protocolVersion: ProtocolVersion;
  connack: ConnackPacket;
  /** The broker reached (its URL, without credentials), when the transport or broker list names it. */
  url?: string;
}

/** What a `disconnect` event gives: why the connection ended. The client reconnects by itself unless it has ended. */
export interface DisconnectInfo {
  /** Why the connection ended; none after a clean end(). */
  error?: MqttError;
  /** When the broker sent DISCONNECT (5.0): its reason code and properties. */
  reasonCode?: number;
  properties?: DisconnectProperties;
}

/** What a `reconnecting` event gives: the attempt about to be made, after how long, and why. */
export interface ReconnectInfo {
  /** 1 for the first attempt after a connection ended or failed; counts up until one is accepted. */
  attempt: number;
  delayMs: number;
  /** What ended the last connection or failed the last attempt, when something did. */
  error?: MqttError;
}

/** The client's lifecycle events. A single operation's failure settles its own promise instead. */
export type ClientEvents = {
  connect: ConnectInfo;
  disconnect: DisconnectInfo;
  reconnecting: ReconnectInfo;
  message: Message;
  /**
   * We asked the broker to keep our session and it had not: what was owed went again as new, and
   * the acks of received messages the application still held are no longer expected.
   */
  sessionLost: { republished: number; settledAsDelivered: number; unacknowledgedReceived: number };
  /** Connection-level errors: refusals, protocol violations by the broker, outbox failures. */
  error: MqttError;
  /** Odd but harmless: an ack for nothing, a fallback to 3.1.1. */
  warning: MqttError;
  /**
   * Every packet written or decoded, for debugging (see `formatPacket`). Packets are described
   * only while a handler listens; no password, auth data or (by default) payload is in it.
   */
  packet: PacketEvent;
  end: undefined;
  /**
   * Browser tabs that share a session (`@courier/browser`): which context owns the connection
   * now. `here` is true in the tab that owns it; a SharedWorker owner is no tab's.
   */
  owner: { owner: string; here: boolean };
};

/** Options of `end()`: wait for what is in flight (the default), or abandon it now or after a timeout. */
export interface EndOptions {
  /** Abandon what is in flight now: its promises reject, durable records stay for the next start. */
  force?: boolean;
  /** Wait at most this long for what is in flight, then end by force. */
  timeoutMs?: number;
}
