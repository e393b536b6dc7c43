import type { Packet } from './codec/packet';

// Every code an MqttError can carry, one constant each, so that applications compare against a
// name the compiler checks. The README's "Errors" table says what to do about each. Courier's own
// code writes the string itself (the MqttErrorCode type checks it), so that a bundle carries only
// the constants its application imports.

/** The application misused the API: a topic with a wildcard, QoS 3, an option out of range (InvalidArgumentError). */
export const ERR_INVALID_ARGUMENT = 'ERR_INVALID_ARGUMENT';
/** The broker broke the protocol; the connection was closed, with a 5.0 DISCONNECT carrying `reasonCode` (ProtocolError). */
export const ERR_PROTOCOL = 'ERR_PROTOCOL';
/** The connection failed, closed, timed out or went dead (ConnectionError). */
export const ERR_CONNECTION = 'ERR_CONNECTION';
/** The broker refused the connection in CONNACK (ConnectRefusedError). */
export const ERR_CONNECT_REFUSED = 'ERR_CONNECT_REFUSED';
/** The broker refused a message with a 5.0 reason code of 0x80 or more; it is not sent again (PublishRejectedError). */
export const ERR_PUBLISH_REJECTED = 'ERR_PUBLISH_REJECTED';
/** The broker refused a SUBSCRIBE or UNSUBSCRIBE for one or more topic filters (SubscribeRejectedError). */
export const ERR_SUBSCRIBE_REJECTED = 'ERR_SUBSCRIBE_REJECTED';
/** The operation's AbortSignal fired (AbortError). */
export const ERR_ABORTED = 'ERR_ABORTED';
/** The client was ended by force, or before the operation could run (ClientEndedError). */
export const ERR_CLIENT_ENDED = 'ERR_CLIENT_ENDED';
/** A bounded queue is full: the operation is refused rather than anything dropped (QueueFullError). */
export const ERR_QUEUE_FULL = 'ERR_QUEUE_FULL';
/** The outbox could not store or load a record (OutboxError). */
export const ERR_OUTBOX = 'ERR_OUTBOX';
/** Bytes from the broker are not a valid MQTT packet (DecodeError). */
export const ERR_DECODE = 'ERR_DECODE';
/** A packet cannot be encoded as valid MQTT for the protocol version in use (EncodeError). */
export const ERR_ENCODE = 'ERR_ENCODE';
/** A warning: the broker acknowledged a packet id that awaits no such ack; it was ignored. */
export const ERR_UNEXPECTED_ACK = 'ERR_UNEXPECTED_ACK';
/** A warning: messages arrive and nothing takes them (no message handler, or a full messages() stream). */
export const ERR_NO_CONSUMER = 'ERR_NO_CONSUMER';
/** A warning: the broker does not speak MQTT 5.0, so the client connects with 3.1.1. */
export const ERR_FALLBACK_TO_V4 = 'ERR_FALLBACK_TO_V4';
/** An application event handler threw; the other handlers and the client's own work went on. */
export const ERR_HANDLER = 'ERR_HANDLER';
/** A file outbox record passed its checksum but does not decode; recovery reports it as damage. */
export const ERR_CORRUPT_RECORD = 'ERR_CORRUPT_RECORD';
/** The application's enhanced authentication failed: its `authenticate` handler threw, or refused the broker's answer (AuthenticationError). */
export const ERR_AUTHENTICATION = 'ERR_AUTHENTICATION';
/** A bug in Courier: a packet it built itself could not be encoded. Please report it. */
export const ERR_INTERNAL = 'ERR_INTERNAL';

/** The `code` of an MqttError: one of the `ERR_*` constants. */
export type MqttErrorCode =
  | typeof ERR_INVALID_ARGUMENT
  | typeof ERR_PROTOCOL
  | typeof ERR_CONNECTION
  | typeof ERR_CONNECT_REFUSED
  | typeof ERR_PUBLISH_REJECTED
  | typeof ERR_SUBSCRIBE_REJECTED
  | typeof ERR_ABORTED
  | typeof ERR_CLIENT_ENDED
  | typeof ERR_QUEUE_FULL
  | typeof ERR_OUTBOX
  | typeof ERR_DECODE
  | typeof ERR_ENCODE
  | typeof ERR_UNEXPECTED_ACK
  | typeof ERR_NO_CONSUMER
  | typeof ERR_FALLBACK_TO_V4
  | typeof ERR_HANDLER
  | typeof ERR_CORRUPT_RECORD
  | typeof ERR_AUTHENTICATION
  | typeof ERR_INTERNAL;

/**
 * The base of every error Courier throws or rejects with. `code` says which kind it is, so that
 * callers can branch on it without `instanceof` across bundles.
 */
export class MqttError extends Error {
  readonly code: MqttErrorCode;

  constructor(code: MqttErrorCode, message: string, options?: { cause?: unknown }) {

    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The application misused the API: a topic with a wildcard, QoS 3, an option out of range. */
export class InvalidArgumentError extends MqttError {
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message);
  }
}

/**
 * The broker broke the protocol (an ack for nothing, a flood beyond our Receive Maximum, an
 * unknown topic alias...). `reasonCode` is what a 5.0 DISCONNECT to it carries.
 */
export class ProtocolError extends MqttError {
  readonly reasonCode: number;

  constructor(reasonCode: number, message: string, options?: { cause?: unknown }) {
    super('ERR_PROTOCOL', message, options);
    this.reasonCode = reasonCode;
  }
}

/** The connection failed, closed, timed out or was refused. */
export class ConnectionError extends MqttError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONNECTION', message, options);
  }
}

/**
 * The broker refused the connection in CONNACK. `reasonCode` is the 5.0 reason code, or the
 * 3.1.1 return code when `protocolVersion` is 4.
 */
export class ConnectRefusedError extends MqttError {
  readonly reasonCode: number;
  readonly protocolVersion: 4 | 5;
  readonly connack: Packet & { type: 'connack' };

  constructor(connack: Packet & { type: 'connack' }, protocolVersion: 4 | 5, message: string) {
    super('ERR_CONNECT_REFUSED', message);
    this.reasonCode = connack.reasonCode;
    this.protocolVersion = protocolVersion;
    this.connack = connack;
  }
}

/**
 * The broker answered a publish with a 5.0 reason code of 0x80 or more. The message is done: it
 * is not sent again [MQTT-4.4.0-2]. `ack` is the PUBACK or PUBREC that said so.
 */
export class PublishRejectedError extends MqttError {
  readonly reasonCode: number;
  readonly ack: Packet;

  constructor(reasonCode: number, ack: Packet, message: string) {
    super('ERR_PUBLISH_REJECTED', message);
    this.reasonCode = reasonCode;
    this.ack = ack;
  }
}

/** A SUBSCRIBE or UNSUBSCRIBE that the broker refused for one or more topic filters. */
export class SubscribeRejectedError extends MqttError {
  readonly failures: { topicFilter: string; reasonCode: number }[];

  constructor(failures: { topicFilter: string; reasonCode: number }[], message: string) {
    super('ERR_SUBSCRIBE_REJECTED', message);
    this.failures = failures;
  }
}

/**
 * The operation's AbortSignal fired. `sent` says whether the message had already gone out: a
 * sent message cannot be called back, so it may still be delivered.
 */
export class AbortError extends MqttError {
  readonly sent: boolean;

  constructor(sent: boolean, options?: { cause?: unknown }) {
    super(
      'ERR_ABORTED',
      sent
        ? 'aborted after the message was sent: it cannot be called back and may still be delivered'
        : 'aborted before the message was sent: it will not be sent',
      options,
    );
    this.sent = sent;
  }
}

/** The client was ended by force (or ended before the operation could run). */
export class ClientEndedError extends MqttError {
  constructor(message = 'the client was ended before this operation completed') {
    super('ERR_CLIENT_ENDED', message);
  }
}

/** A queue reached its bound: the operation is refused, nothing is dropped silently. */
export class QueueFullError extends MqttError {
  constructor(message: string) {
    super('ERR_QUEUE_FULL', message);
  }
}

/** The outbox could not store or load a record (a full disk or quota, a lock held elsewhere). */
export class OutboxError extends MqttError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OUTBOX', message, options);
  }
}

/**
 * Enhanced authentication failed on our side: the `authenticate` handler threw or rejected (a
 * SCRAM server signature that does not verify, say), or the `beforeConnect` hook did. The
 * connection was closed; `cause` is what the handler threw. Never carries credentials.
 */
export class AuthenticationError extends MqttError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_AUTHENTICATION', message, options);
  }
}
