import type { AckPacket, PublishPacket } from '../codec/packet';
import type { PublishProperties } from '../codec/properties';
import { MqttError, OutboxError, ProtocolError } from '../errors';
import { Fifo } from '../util/fifo';
import type { Link } from './link';
import type { SessionContext } from './session-context';
import type { ReceivedMessage } from './session-types';

/**
 * A delivered QoS 1/2 message whose PUBACK or PUBREC has not gone out: the application holds it,
 * or has acknowledged it and its ack waits for an earlier one (or for its packet id to be
 * durable, QoS 2). It outlives the connection: the broker sends the message again with the same
 * packet id [MQTT-4.4.0-1], and that resend is this message, not a new one.
 */
interface InHand {
  deliveryId: number;
  packetId: number;
  ack: AckPacket<'puback' | 'pubrec'>;
  /** The application has acknowledged it (`ack()`, or it took it, by default). */
  acked: boolean;
  /** The connection whose ack queue has its ack, or null. */
  queuedOn: Link | null;
}

/** An ack to send on this connection, in arrival order [MQTT-4.6.0-2], [MQTT-4.6.0-3]. */
interface QueuedAck {
  packet: AckPacket<'puback' | 'pubrec'>;
  /** The message it answers, while the application may still hold it; none for a PUBREC to a duplicate. */
  message: InHand | undefined;
}

/** A new message that arrived while nothing in the application could take it. */
interface HeldMessage {
  message: ReceivedMessage;
  packetId: number;
}

/** Every packet id unacknowledged: the most a broker can have in flight towards us [MQTT-2.3.1-4]. */
const MAX_UNACKNOWLEDGED = 65_535;

/** QoS 0 messages kept at most while delivery is held; more are dropped (at most once). */
const MAX_HELD_QOS0 = 1000;

/**
 * What the broker sends us, and the receiving half of the delivery promise: a QoS 1 PUBACK or
 * QoS 2 PUBREC goes out only once the application has acknowledged the message (`ackRequested`:
 * its handlers and streams have it, or it called `ack()`), so that until then the message is the
 * broker's: a crash costs nothing the broker will not send again. Acks leave in arrival order,
 * whatever order the application acknowledges in [MQTT-4.6.0-2], [MQTT-4.6.0-3]. Unacknowledged
 * messages count against our Receive Maximum, which is how a slow application slows the broker.
 *
 * QoS 2: the packet id is written to the outbox once the application has acknowledged the
 * message and before PUBREC; from then until PUBREL, a PUBLISH with that id is answered with
 * PUBREC again and not delivered again [MQTT-4.3.3-10]. A message in the application's hands is
 * not recorded: after a crash the broker sends it again and it is delivered again (processed
 * twice at most when the crash came between processing and acknowledging).
 *
 * While delivery is held (the application has no handler yet, e.g. between CONNACK and its
 * `on('message')`), new messages wait unacknowledged and undelivered.
 */
export class IncomingFlow {
  /** QoS 2 ids acknowledged by the application, until PUBREL: their write pending, or durable. */
  readonly #qos2 = new Map<number, 'writing' | 'received'>();
  readonly #acks = new Fifo<QueuedAck>();
  /** Delivered QoS 1/2 messages whose ack has not gone out, by packet id and by delivery id. */
  readonly #inHand = new Map<number, InHand>();
  readonly #byDelivery = new Map<number, InHand>();
  #nextDeliveryId = 1;
  readonly #held = new Fifo<HeldMessage>();
  /** The QoS 1/2 ids among the held, so that a resend of one is found without a scan. */
  readonly #heldIds = new Set<number>();
  #holding = false;
  #heldQoS0 = 0;

  readonly #ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  /** No acknowledged message waits for its packet id to be durable. */
  get idle(): boolean {
    for (const state of this.#qos2.values()) if (state === 'writing') return false;
    return true;
  }

  restore(packetIds: number[]): void {
    for (const packetId of packetIds) this.#qos2.set(packetId, 'received');
  }

  onPublish(packet: PublishPacket, link: Link): void {
    const topic = this.#resolveTopic(packet, link);
    if (topic === undefined) return;
    const packetId = packet.packetId ?? 0;
    if (packet.qos !== 0) {
      const inHand = this.#inHand.get(packetId);
      if (inHand !== undefined) {
        // A resend of a message the application holds (or has acknowledged, its ack not yet
        // out): the same message. Its ack answers this PUBLISH too, on this connection.
        if (inHand.queuedOn !== link && this.#admit(link)) this.#queue(inHand, link);
        this.drain();
        return;
      }
      if (this.#heldIds.has(packetId)) return; // a resend of one held: counted and kept once
    }
    const state = packet.qos === 2 ? this.#qos2.get(packetId) : undefined;
    if (state !== undefined) {
      // [MQTT-4.3.3-10]: a PUBLISH with an id acknowledged before PUBREL is a duplicate: PUBREC
      // again (once the id is durable), and no second delivery. (A limit of the protocol: if
      // the broker lost our session and the CONNACK saying so was lost too, we keep ids it
      // forgot, and a new message reusing one is taken for a duplicate. Nothing tells us.)
      this.#acks.push({ packet: { type: 'pubrec', packetId }, message: undefined });
      this.drain();
      return;
    }
    if (packet.qos !== 0 && !this.#admit(link)) return;
    const message: ReceivedMessage = { topic, payload: packet.payload, qos: packet.qos, retain: packet.retain, dup: packet.dup };
    if (packet.qos !== 0) message.packetId = packetId;
    const properties = withoutTopicAlias(packet.properties);
    if (properties !== undefined) message.properties = properties;
    if (this.#holding || this.#held.length > 0) this.#hold(message, packetId);
    else this.#deliver(message, packetId, link);
  }

  /**
   * The application has message `deliveryId` (unknown ids are harmless: acknowledged twice, or
   * answered already). Its ack goes out once the acks before it have, QoS 2 once its id is durable.
   */
  onAckRequested(deliveryId: number): void {
    const inHand = this.#byDelivery.get(deliveryId);
    if (inHand === undefined) {
      // Nothing to send: ack() settles now.
      this.#ctx.emit({ type: 'ackSent', deliveryId });
      return;
    }
    if (inHand.acked) return;
    inHand.acked = true;
    if (inHand.ack.type === 'pubrec') this.#record(inHand.packetId);
    this.drain();
  }

  /**
   * Holds delivery (true) until the application can take messages, or lets it go on (false):
   * what was held is then delivered in arrival order.
   */
  setHolding(holding: boolean): void {
    this.#holding = holding;
    if (holding) return;
    const link = this.#ctx.link;
    // Between connections nothing is held (onConnectionLost forgot it): the broker sends it again.
    if (link !== null) for (let held = this.#held.shift(); held !== undefined; held = this.#held.shift()) this.#deliver(held.message, held.packetId, link);
    this.#held.clear();
    this.#heldIds.clear();
    this.#heldQoS0 = 0;
  }

  /**
   * Held messages were never delivered nor acknowledged: the broker sends QoS 1/2 again on the
   * next connection. Messages in the application's hands stay there; their resends will find them.
   */
  onConnectionLost(): void {
    this.#held.clear();
    this.#heldIds.clear();
    this.#heldQoS0 = 0;
    this.#acks.clear();
  }

  /** PUBREL always gets PUBCOMP: 0x92 in 5.0 when the id is unknown (3.7.2.1). */
  onPubrel(packet: AckPacket<'pubrel'>): void {
    const { packetId } = packet;
    if (this.#qos2.delete(packetId)) {
      this.#ctx.emit({ type: 'forget', change: { op: 'deleteIncoming', packetId } });
      this.#send({ type: 'pubcomp', packetId }, true);
    } else {
      // Frees nothing: a broker's PUBREL for nothing must not open room under our Receive Maximum.
      this.#send(this.#ctx.policy.unknownIdAnswer('pubcomp', packetId), false);
    }
  }

  onStored(packetIds: number[]): void {
    for (const packetId of packetIds) {
      if (this.#qos2.get(packetId) === 'writing') this.#qos2.set(packetId, 'received');
    }
    this.drain();
  }

  /**
   * The outbox could not keep these ids: no PUBREC for them, and the connection closes so that
   * the broker sends them again; the message, still in hand and acknowledged, is recorded again then.
   */
  onStoreFailed(packetIds: number[], error: MqttError): void {
    for (const packetId of packetIds) this.#qos2.delete(packetId);
    this.#ctx.closeConnection(new OutboxError(`the outbox could not record a received QoS 2 message: ${error.message}`, { cause: error }));
  }

  /**
   * The broker started a new session: the QoS 2 ids it had sent us mean nothing any more, and
   * nothing the application holds will be asked for again. Returns how many messages it held
   * unacknowledged; an `ack()` of one settles without sending anything.
   */
  onSessionReset(): number {
    if (this.#qos2.size > 0) {
      this.#qos2.clear();
      this.#ctx.emit({ type: 'forget', change: { op: 'clearIncoming' } });
    }
    let unacknowledged = 0;
    for (const inHand of this.#byDelivery.values()) {
      if (inHand.acked) this.#ctx.emit({ type: 'ackSent', deliveryId: inHand.deliveryId });
      else unacknowledged++;
    }
    this.#inHand.clear();
    this.#byDelivery.clear();
    return unacknowledged;
  }

  /** Sends the acks at the head of the queue whose messages are acknowledged (and durable, QoS 2). */
  drain(): void {
    const link = this.#ctx.link;
    if (link === null || link.phase !== 'connected') return;
    for (let queued = this.#acks.peek(); queued !== undefined; queued = this.#acks.peek()) {
      const inHand = queued.message;
      if (inHand !== undefined && !inHand.acked) return;
      const { packet } = queued;
      if (packet.type === 'pubrec' && this.#qos2.get(packet.packetId) !== 'received') return;
      this.#acks.shift();
      // A PUBACK ends the message for our Receive Maximum; a PUBREC's ends at PUBCOMP.
      this.#send(packet, packet.type === 'puback');
      if (inHand === undefined) continue;
      this.#inHand.delete(inHand.packetId);
      this.#byDelivery.delete(inHand.deliveryId);
      this.#ctx.emit({ type: 'ackSent', deliveryId: inHand.deliveryId });
    }
  }

  /** Hands a message to the application; a QoS 1/2 one is in its hands until acknowledged. */
  #deliver(message: ReceivedMessage, packetId: number, link: Link): void {
    if (message.qos === 0) {
      this.#ctx.emit({ type: 'deliver', message, deliveryId: 0 });
      return;
    }
    const deliveryId = this.#nextDeliveryId++;
    const ack: AckPacket<'puback' | 'pubrec'> = { type: message.qos === 1 ? 'puback' : 'pubrec', packetId };
    const inHand: InHand = { deliveryId, packetId, ack, acked: false, queuedOn: null };
    this.#inHand.set(packetId, inHand);
    this.#byDelivery.set(deliveryId, inHand);
    this.#queue(inHand, link);
    this.#ctx.emit({ type: 'deliver', message, deliveryId });
  }

  #queue(inHand: InHand, link: Link): void {
    inHand.queuedOn = link;
    this.#acks.push({ packet: inHand.ack, message: inHand });
    // Acknowledged, and its record lost with a failed write: record it again before PUBREC.
    if (inHand.acked && inHand.ack.type === 'pubrec' && !this.#qos2.has(inHand.packetId)) this.#record(inHand.packetId);
  }

  /** Writes a received QoS 2 packet id to the outbox: PUBREC waits until it is durable. */
  #record(packetId: number): void {
    this.#qos2.set(packetId, 'writing');
    this.#ctx.emit({ type: 'persist', change: { op: 'putIncoming', packetId }, awaited: true });
  }

  #send(packet: AckPacket<'puback' | 'pubrec' | 'pubrel' | 'pubcomp'>, frees: boolean): void {
    const link = this.#ctx.link;
    if (link === null || link.phase === 'closing') return;
    this.#ctx.send(packet);
    if (frees && link.unacknowledgedIn > 0) link.unacknowledgedIn--;
  }

  #hold(message: ReceivedMessage, packetId: number): void {
    if (message.qos !== 0) this.#heldIds.add(packetId);
    else {
      if (this.#heldQoS0 >= MAX_HELD_QOS0) {
        if (this.#heldQoS0++ === MAX_HELD_QOS0) {
          this.#ctx.warn(new MqttError('ERR_NO_CONSUMER', `${MAX_HELD_QOS0} QoS 0 messages wait while delivery is held (no message handler, or a full messages() stream): QoS 0 messages are dropped until it goes on`));
        }
        return;
      }
      this.#heldQoS0++;
    }
    this.#held.push({ message, packetId });
  }

  /**
   * Counts a new QoS 1/2 message against our Receive Maximum (in 3.1.1, the packet ids). A 5.0
   * broker that sends more than it allows breaks the protocol (3.3.4 has the client DISCONNECT
   * with 0x93), but Mosquitto 2.0.11 does so when it resends a restarted subscriber's session:
   * a DISCONNECT would bring the same resend again, for ever. So it is reported once per
   * connection and taken; the packet ids bound what is held (at most 65,535 unacknowledged: past
   * that, any PUBLISH reuses an id in use, which is a resend of that message).
   */
  #admit(link: Link): boolean {
    const policy = this.#ctx.policy;
    const maximum = policy.inboundMaximum(this.#ctx.options.receiveMaximum);
    if (link.unacknowledgedIn >= MAX_UNACKNOWLEDGED) {
      this.#ctx.fail(policy.inboundOverflow(MAX_UNACKNOWLEDGED));
      return false;
    }
    if (link.unacknowledgedIn >= maximum && !link.inboundOverflowReported) {
      link.inboundOverflowReported = true;
      this.#ctx.warn(policy.inboundOverflow(maximum));
    }
    link.unacknowledgedIn++;
    return true;
  }

  /** The topic, through the broker's topic aliases for this connection (3.3.2.3.4). */
  #resolveTopic(packet: PublishPacket, link: Link): string | undefined {
    const alias = packet.properties?.topicAlias;
    if (alias === undefined) return packet.topic;
    const maximum = this.#ctx.options.topicAliasMaximum ?? 0;
    if (alias > maximum) {
      this.#ctx.fail(new ProtocolError(0x94 /* Topic Alias Invalid */, `the broker used topic alias ${alias}; we allow ${maximum}`));
      return undefined;
    }
    if (packet.topic !== '') {
      link.topicAliases.set(alias, packet.topic);
      return packet.topic;
    }
    const topic = link.topicAliases.get(alias);
    if (topic === undefined) {
      this.#ctx.fail(new ProtocolError(0x82 /* Protocol Error */, `the broker used topic alias ${alias} before setting it`));
    }
    return topic;
  }
}

/** A topic alias is a detail of one connection: the application sees the topic. */
function withoutTopicAlias(properties: PublishProperties | undefined): PublishProperties | undefined {
  if (properties?.topicAlias === undefined) return properties;
  const { topicAlias: _alias, ...rest } = properties;
  return Object.keys(rest).length > 0 ? rest : undefined;
}
