import type { Packet } from './codec/packet';

/**
 * The base of every error Courier throws or rejects with. `code` says which kind it is, so that
 * callers can branch on it without `instanceof` across bundles.
 */
export class MqttError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
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
