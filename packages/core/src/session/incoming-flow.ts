import type { AckPacket, Packet, PublishPacket } from '../codec/packet';
import type { PublishProperties } from '../codec/properties';
import { MqttError, OutboxError, ProtocolError } from '../errors';
import { Fifo } from '../util/fifo';
import type { Link } from './link';
import type { SessionContext } from './session-context';
import type { ReceivedMessage } from './session-types';

/** A received QoS 2 packet id: its write to the outbox pending, or durable (delivered). */
type Qos2State = 'writing' | 'received';

/** What arrived, kept in arrival order: a message to deliver, an ack to send, or both. */
interface InboxItem {
  message: ReceivedMessage | undefined;
  ack: Packet | undefined;
  /** A QoS 2 packet id whose outbox write must be durable first, or 0. */
  waitFor: number;
  /** Sending `ack` ends a message counted against our Receive Maximum (PUBACK, or PUBCOMP for a known id). */
  frees: boolean;
}

/** A new message that arrived while nothing in the application could take it. */
interface HeldMessage {
  message: ReceivedMessage;
  packetId: number;
}

/** QoS 0 messages kept at most while delivery is held; more are dropped (at most once). */
const MAX_HELD_QOS0 = 1000;

/**
 * What the broker sends us. QoS 0 and 1 are delivered as they come (QoS 1 then PUBACK). A QoS 2
 * packet id is written to the outbox before the message is delivered and PUBREC sent; until
 * PUBREL, a PUBLISH with that id is answered with PUBREC again and not delivered again. Messages
 * and acks leave in arrival order [MQTT-4.6.0-2], [MQTT-4.6.0-3].
 *
 * While delivery is held (the application has no handler yet, e.g. between CONNACK and its
 * `on('message')`), new messages wait unacknowledged and unrecorded: if the connection or the
 * process ends first, the broker still owes them and sends them again.
 */
export class IncomingFlow {
  readonly #qos2 = new Map<number, Qos2State>();
  readonly #inbox = new Fifo<InboxItem>();
  readonly #held = new Fifo<HeldMessage>();
  /** The QoS 2 ids among the held, so that a resend of one is found without a scan. */
  readonly #heldQos2 = new Set<number>();
  #holding = false;
  #heldQoS0 = 0;

  readonly #ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  get idle(): boolean {
    return this.#inbox.length === 0;
  }

  restore(packetIds: number[]): void {
    for (const packetId of packetIds) this.#qos2.set(packetId, 'received');
  }

  onPublish(packet: PublishPacket, link: Link): void {
    const topic = this.#resolveTopic(packet, link);
    if (topic === undefined) return;
    const message: ReceivedMessage = { topic, payload: packet.payload, qos: packet.qos, retain: packet.retain, dup: packet.dup };
    const properties = withoutTopicAlias(packet.properties);
    if (properties !== undefined) message.properties = properties;
    const packetId = packet.packetId ?? 0;
    const state = packet.qos === 2 ? this.#qos2.get(packetId) : undefined;
    if (state !== undefined) {
      // [MQTT-4.3.3-10]: a PUBLISH with an id we hold before PUBREL is a duplicate: PUBREC
      // again (once the id is durable), and no second delivery. (A limit of the protocol: if
      // the broker lost our session and the CONNACK saying so was lost too, we keep ids it
      // forgot, and a new message reusing one is taken for a duplicate. Nothing tells us.)
      this.#inbox.push({ message: undefined, ack: { type: 'pubrec', packetId }, waitFor: state === 'writing' ? packetId : 0, frees: false });
      this.drain();
      return;
    }
    if (packet.qos === 2 && this.#heldQos2.has(packetId)) return; // a resend of one held: counted and kept once
    if (packet.qos !== 0 && !this.#admit(link)) return;
    if (this.#holding || this.#held.length > 0) {
      this.#hold(message, packetId);
      return;
    }
    this.#accept(message, packetId);
    this.drain();
  }

  /**
   * Holds delivery (true) until the application can take messages, or lets it go on (false):
   * what was held is then taken in arrival order.
   */
  setHolding(holding: boolean): void {
    this.#holding = holding;
    if (holding) return;
    for (let held = this.#held.shift(); held !== undefined; held = this.#held.shift()) this.#accept(held.message, held.packetId);
    this.#heldQos2.clear();
    this.#heldQoS0 = 0;
    this.drain();
  }

  /** Held messages were never acknowledged: the broker sends QoS 1/2 again on the next connection. */
  onConnectionLost(): void {
    this.#held.clear();
    this.#heldQos2.clear();
    this.#heldQoS0 = 0;
  }

  /** A new message, in arrival order: QoS 2 records its packet id first, then it is delivered. */
  #accept(message: ReceivedMessage, packetId: number): void {
    if (message.qos === 0) {
      this.#inbox.push({ message, ack: undefined, waitFor: 0, frees: false });
    } else if (message.qos === 1) {
      // After PUBACK, the same packet id is a new message, DUP or not: deliver it again.
      this.#inbox.push({ message, ack: { type: 'puback', packetId }, waitFor: 0, frees: true });
    } else {
      this.#qos2.set(packetId, 'writing');
      this.#ctx.emit({ type: 'persist', change: { op: 'putIncoming', packetId }, awaited: true });
      this.#inbox.push({ message, ack: { type: 'pubrec', packetId }, waitFor: packetId, frees: false });
    }
  }

  #hold(message: ReceivedMessage, packetId: number): void {
    if (message.qos === 2) this.#heldQos2.add(packetId);
    if (message.qos === 0) {
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

  /** PUBREL always gets PUBCOMP: 0x92 in 5.0 when the id is unknown (3.7.2.1). */
  onPubrel(packet: AckPacket<'pubrel'>): void {
    const { packetId } = packet;
    if (this.#qos2.delete(packetId)) {
      this.#ctx.emit({ type: 'forget', change: { op: 'deleteIncoming', packetId } });
      this.#inbox.push({ message: undefined, ack: { type: 'pubcomp', packetId }, waitFor: 0, frees: true });
    } else {
      // Frees nothing: a broker's PUBREL for nothing must not open room under our Receive Maximum.
      this.#inbox.push({ message: undefined, ack: this.#ctx.policy.unknownIdAnswer('pubcomp', packetId), waitFor: 0, frees: false });
    }
    this.drain();
  }

  onStored(packetIds: number[]): void {
    for (const packetId of packetIds) {
      if (this.#qos2.get(packetId) === 'writing') this.#qos2.set(packetId, 'received');
    }
    this.drain();
  }

  /**
   * The outbox could not keep these ids: the messages are not delivered and not acknowledged,
   * and the connection closes, so that the broker sends them again later.
   */
  onStoreFailed(packetIds: number[], error: MqttError): void {
    const failed = new Set(packetIds);
    for (const packetId of packetIds) this.#qos2.delete(packetId);
    for (const item of this.#inbox.toArray()) {
      if (failed.has(item.waitFor)) this.#inbox.remove(item);
    }
    this.#ctx.closeConnection(new OutboxError(`the outbox could not record a received QoS 2 message: ${error.message}`, { cause: error }));
    this.drain();
  }

  /** The broker started a new session: the QoS 2 ids it had sent us mean nothing any more. */
  onSessionReset(): void {
    if (this.#qos2.size === 0) return;
    this.#qos2.clear();
    this.#ctx.emit({ type: 'forget', change: { op: 'clearIncoming' } });
    this.drain();
  }

  /** Delivers and acknowledges, in arrival order, as far as outbox writes allow. */
  drain(): void {
    for (let item = this.#inbox.peek(); item !== undefined; item = this.#inbox.peek()) {
      if (item.waitFor !== 0 && this.#qos2.get(item.waitFor) === 'writing') return;
      this.#inbox.shift();
      if (item.message !== undefined) this.#ctx.emit({ type: 'deliver', message: item.message });
      const link = this.#ctx.link;
      if (item.ack !== undefined && link !== null && link.phase !== 'closing') {
        this.#ctx.send(item.ack);
        if (item.frees && link.unacknowledgedIn > 0) link.unacknowledgedIn--;
      }
    }
  }

  /**
   * Counts a new QoS 1/2 message against our Receive Maximum (in 3.1.1, the packet ids): a
   * broker that sends more than it allows breaks the protocol (0x93, 3.3.4). Without this bound,
   * messages held for a missing handler would grow without end.
   */
  #admit(link: Link): boolean {
    const policy = this.#ctx.policy;
    const maximum = policy.inboundMaximum(this.#ctx.options.receiveMaximum);
    if (link.unacknowledgedIn >= maximum) {
      this.#ctx.fail(policy.inboundOverflow(maximum));
      return false;
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
