import type { AckPacket, PublishPacket } from '../codec/packet';
import { measurePublish } from '../codec/publish';
import { reasonCodeText } from '../codec/reason-code-text';
import {
  AbortError,
  ConnectionError,
  InvalidArgumentError,
  MqttError,
  OutboxError,
  PublishRejectedError,
  QueueFullError,
} from '../errors';
import type { OutgoingRecord } from '../ports/outbox-store';
import { Fifo } from '../util/fifo';
import { IdOrderedMap } from '../util/id-ordered-map';
import { AckDeadlines } from './ack-deadlines';
import type { Link } from './link';
import { HOLDS_QUOTA, newRecord, ON_WIRE, OutgoingMessage, RELEASING, SENT_ONCE, WAITING_TO_SEND } from './outgoing-message';
import { encodingProblem, publishPacketOf, withTopicAlias } from './publish-packet';
import type { SessionContext } from './session-context';
import type { OutboxEntry, PublishRequest, PublishResult } from './session-types';

interface QueuedQoS0 {
  id: number;
  request: PublishRequest;
}

/**
 * What the client publishes: QoS 0 straight out (or briefly queued while offline), QoS 1 and 2
 * through the outbox.
 *
 * The path of a QoS 1/2 message: it is written to the outbox (write-ahead) and queued; when the
 * connection and the send quota allow, it takes a packet id, which is written too, and once its
 * writes are durable it goes out, in order. PUBACK (or PUBREC then PUBCOMP) completes it and
 * frees its id. Records are keyed by the message's sequence id, never by packet id.
 */
export class OutgoingFlow {
  /** Every QoS 1/2 message owed, by sequence id, in id (publish) order. */
  readonly #byId = new IdOrderedMap<OutgoingMessage>();
  /** Waiting for a packet id, in order. */
  readonly #queue = new Fifo<OutgoingMessage>();
  /** Holding a packet id and waiting to go out (for the first time, or again), in order. */
  readonly #toSend = new Fifo<OutgoingMessage>();
  /** Every message holding a packet id, by packet id. */
  readonly #inflight = new Map<number, OutgoingMessage>();
  /** Those sent on this connection and waiting for their ack, in send order. */
  readonly #deadlines = new AckDeadlines();
  /**
   * QoS 2 messages whose PUBREC came, in PUBREC order [MQTT-4.6.0-4], whose PUBREL waits for the
   * 'released' write: a PUBREL sent before it is durable lets the broker forget the packet id
   * while a crash would restore the message as unacknowledged and publish it a second time.
   */
  readonly #toRelease = new Fifo<OutgoingMessage>();
  readonly #qos0 = new Fifo<QueuedQoS0>();
  /**
   * Released QoS 2 messages (PUBREC came, PUBCOMP not yet), in PUBREC order, so that PUBRELs are
   * resent in that order [MQTT-4.6.0-4]; those restored as released first, in id order (their
   * PUBRECs came before this run's). A Set, not a field per message: QoS 1 messages pay nothing.
   */
  readonly #released = new Set<OutgoingMessage>();
  /** The kinds of deviation already reported on the connection `#warnedLink`. */
  readonly #warned = new Set<string>();
  #warnedLink: Link | null = null;

  readonly #ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  /** Messages and QoS 0 publishes still owed. */
  get owed(): number {
    return this.#byId.size + this.#qos0.length;
  }

  get hasRestoredState(): boolean {
    return this.#byId.size > 0;
  }

  /** Takes back what the outbox held; their packet ids are reserved before anything new is sent. */
  restore(records: OutgoingRecord[]): void {
    for (const record of records) {
      const message = new OutgoingMessage(record);
      this.#byId.set(message.id, message);
      if (record.state !== 'queued' && record.packetId !== undefined && this.#ctx.ids.reserve(record.packetId)) {
        message.state = record.state;
        message.packetId = record.packetId;
        message.set(SENT_ONCE, true); // it may have gone out before the restart: a resend carries DUP=1
        this.#inflight.set(message.packetId, message);
        if (message.state === 'released') this.#released.add(message);
      } else {
        this.#queue.push(message);
      }
    }
  }

  request(id: number, request: PublishRequest): void {
    const link = this.#ctx.link;
    if (request.qos === 0) {
      // The broker's limits hold at every QoS [MQTT-3.2.2-14], [MQTT-3.2.2-15]; offline, they are
      // checked when the message leaves the queue.
      const refusal = link?.open === true ? this.#refusal(request, link) : undefined;
      if (refusal !== undefined) {
        this.#reject(id, refusal);
      } else if (link?.open === true && !link.blocked && this.#qos0.length === 0) {
        this.#sendQoS0(id, request);
      } else if (this.#qos0.length >= this.#ctx.options.maxQueuedQoS0) {
        this.#reject(id, new QueueFullError(`${this.#qos0.length} QoS 0 messages are already waiting for the connection`));
      } else {
        this.#qos0.push({ id, request });
      }
      return;
    }
    if (this.#byId.size >= this.#ctx.options.maxQueuedMessages) {
      this.#reject(id, new QueueFullError(`${this.#byId.size} QoS 1/2 messages are already owed`));
      return;
    }
    const refusal = link?.open === true ? this.#refusal(request, link) : undefined;
    if (refusal !== undefined) {
      this.#reject(id, refusal);
      return;
    }
    // Sent at once when it can be: then its first write already carries its packet id.
    const now = link?.open === true && this.#queue.length === 0 && this.#toSend.length < link.quota;
    const packetId = now ? this.#ctx.ids.allocate() : 0;
    const message = new OutgoingMessage(newRecord(id, request, packetId));
    this.#byId.set(id, message);
    if (packetId !== 0) this.#take(message, packetId);
    this.#persist({ op: 'put', record: message.record }, message);
    if (packetId === 0) this.#queue.push(message);
  }

  /** Sends whatever the connection, the quota, the packet ids and the outbox writes allow. */
  pump(): void {
    const link = this.#ctx.link;
    if (link === null || !link.open || link.blocked) return;
    for (let queued = this.#qos0.shift(); queued !== undefined; queued = this.#qos0.shift()) {
      const refusal = this.#refusal(queued.request, link);
      if (refusal !== undefined) this.#reject(queued.id, refusal);
      else this.#sendQoS0(queued.id, queued.request);
    }
    while (this.#toRelease.length > 0 && (this.#toRelease.peek() as OutgoingMessage).writes === 0) {
      const message = this.#toRelease.shift() as OutgoingMessage;
      message.set(RELEASING, false);
      this.#sendPubrel(message);
    }
    // Refilled in batches: once a quarter of the window is free (or what waits fits), so that
    // the PUBACKs of one read let one write of many PUBLISHes go, not one write per read.
    const refill = link.quota - this.#toSend.length >= Math.min(this.#queue.length, Math.ceil(link.quotaMax / 4));
    while (refill && this.#queue.length > 0 && this.#toSend.length < link.quota) {
      const message = this.#queue.peek() as OutgoingMessage;
      if (!this.#assignId(message)) break; // all 65,535 ids in use: wait for acks
      this.#queue.shift();
      this.#persist({ op: 'update', id: message.id, state: 'sent', packetId: message.packetId }, message);
    }
    // In order: a message whose writes are not durable yet holds back the ones after it.
    while (this.#toSend.length > 0 && link.quota > 0) {
      const message = this.#toSend.peek() as OutgoingMessage;
      if (message.writes > 0) break;
      this.#toSend.shift();
      message.set(WAITING_TO_SEND, false);
      const refusal = this.#refusal(message.record, link);
      if (refusal !== undefined) this.#drop(message, refusal);
      else this.#transmit(message, link);
    }
  }

  /**
   * The broker kept our session: every PUBREL goes again in PUBREC order [MQTT-4.6.0-4], then
   * every unacknowledged PUBLISH with DUP=1 and its original packet id, in the order first sent
   * [MQTT-4.4.0-1], [MQTT-4.6.0-1].
   */
  resend(link: Link): void {
    const owed = [...this.#inflight.values()].filter((m) => m.has(SENT_ONCE) && !m.has(WAITING_TO_SEND)).sort(byId);
    const released = [...this.#released].filter((m) => m.has(SENT_ONCE) && !m.has(WAITING_TO_SEND));
    for (const message of released) {
      // Its PUBLISH is unacknowledged until PUBCOMP, on this connection too [MQTT-3.3.4-7].
      message.set(HOLDS_QUOTA, true);
      link.quota--;
      if (!message.has(RELEASING)) this.#sendPubrel(message); // else pump() sends it once durable
    }
    const publishes = owed.filter((m) => m.state === 'sent');
    for (const message of publishes) message.set(WAITING_TO_SEND, true);
    this.#toSend.unshiftAll([...publishes, ...this.#toSend.clear()].sort(byId));
  }

  /**
   * The broker has no session for us: what it had is gone. Messages still owed are published again
   * as new messages (new packet id, DUP=0); QoS 2 messages already released were received by the
   * broker, so they are settled as delivered.
   */
  resetSession(): { republished: number; settledAsDelivered: number } {
    let republished = 0;
    let settledAsDelivered = 0;
    const requeued: OutgoingMessage[] = [];
    for (const message of [...this.#inflight.values()].sort(byId)) {
      if (message.state === 'released') {
        this.#complete(message, undefined);
        settledAsDelivered++;
        continue;
      }
      if (message.has(SENT_ONCE)) republished++;
      this.#inflight.delete(message.packetId);
      this.#ctx.ids.release(message.packetId);
      message.packetId = 0;
      message.state = 'queued';
      message.set(SENT_ONCE, false);
      message.set(WAITING_TO_SEND, false);
      requeued.push(message);
    }
    this.#toSend.clear();
    this.#toRelease.clear();
    this.#queue.unshiftAll(requeued);
    return { republished, settledAsDelivered };
  }

  onConnectionLost(): void {
    this.#deadlines.clear();
    for (const message of this.#inflight.values()) {
      message.set(ON_WIRE, false);
      message.set(HOLDS_QUOTA, false);
    }
  }

  onPuback(ack: AckPacket<'puback'>): void {
    const message = this.#inflight.get(ack.packetId);
    if (message === undefined || !message.has(SENT_ONCE)) {
      this.#unexpected(ack);
      return;
    }
    // A PUBACK for a QoS 2 message (RabbitMQ answers QoS 2 so): the broker has the message, so
    // it settles, reported, rather than hold its promise, its packet id and its window place.
    if (message.qos === 2) this.#deviation('PUBACK', 'a QoS 2 message: settled as acknowledged at QoS 1');
    this.#complete(message, ack);
  }

  onPubrec(ack: AckPacket<'pubrec'>): void {
    const message = this.#inflight.get(ack.packetId);
    if (message === undefined || !message.has(SENT_ONCE)) {
      this.#unexpected(ack);
      this.#ctx.send(this.#ctx.policy.unknownIdAnswer('pubrel', ack.packetId));
      return;
    }
    // A PUBREC for a QoS 1 message: the broker holds it for exactly-once delivery and awaits our
    // PUBREL. Finishing its flow as QoS 2 is the reading that leaves neither side waiting.
    if (message.qos === 1 && message.state === 'sent') this.#deviation('PUBREC', 'a QoS 1 message: finished as a QoS 2 flow');
    if (this.#ctx.policy.refuses(ack.reasonCode)) {
      this.#complete(message, ack); // refused: done, never sent again [MQTT-4.4.0-2]
      return;
    }
    if (message.state === 'released') {
      // A repeated PUBREC: answer it, unless the first one's PUBREL is still waiting.
      if (!message.has(RELEASING)) this.#sendPubrel(message);
      return;
    }
    // PUBREC moves the record to "released" in one update; the PUBLISH is never sent again. The
    // PUBREL goes once that update is durable (see #toRelease); until then no ack is awaited.
    message.state = 'released';
    this.#released.add(message);
    message.set(RELEASING, true);
    message.set(ON_WIRE, false);
    message.writes++;
    this.#ctx.emit({
      type: 'persist',
      change: { op: 'update', id: message.id, state: 'released', packetId: message.packetId },
      awaited: true,
    });
    this.#toRelease.push(message);
  }

  onPubcomp(ack: AckPacket<'pubcomp'>): void {
    const message = this.#inflight.get(ack.packetId);
    if (message === undefined || message.state !== 'released') {
      this.#unexpected(ack);
      return;
    }
    this.#complete(message, ack);
  }

  onStored(ids: number[]): void {
    for (const id of ids) {
      const message = this.#byId.get(id);
      if (message !== undefined && message.writes > 0) message.writes--;
    }
  }

  /** The outbox could not store these messages: they are refused, never sent unrecorded. */
  onStoreFailed(ids: number[], error: MqttError): void {
    for (const id of ids) {
      const message = this.#byId.get(id);
      if (message === undefined) continue;
      if (message.has(RELEASING)) {
        // The broker has it (PUBREC): refusing it now would be false. Release it anyway; only a
        // crash before the outbox works again could make the restart publish it a second time.
        if (message.writes > 0) message.writes--;
        this.#ctx.warn(new OutboxError(`the outbox could not record that message ${id} was received by the broker: ${error.message}`, { cause: error }));
        continue;
      }
      this.#drop(message, new OutboxError(`the outbox could not store the message: ${error.message}`, { cause: error }));
    }
  }

  /**
   * 3.1.1 resends an unacknowledged PUBLISH (DUP=1) or PUBREL in-session after `ackTimeoutMs`;
   * 5.0 may not [MQTT-4.4.0-1], so it closes the connection and the reconnect resends.
   */
  checkTimeouts(link: Link): void {
    const timeout = this.#ctx.options.ackTimeoutMs;
    if (timeout <= 0) return;
    const expired = this.#deadlines.sentBy(this.#ctx.now - timeout);
    if (expired.length === 0) return;
    if (!this.#ctx.policy.resendInSession) {
      this.#ctx.closeConnection(new ConnectionError(`no acknowledgement within ${timeout} ms: reconnecting to resend`));
      return;
    }
    for (const message of expired) {
      if (message.state === 'released') this.#sendPubrel(message);
      else this.#retransmit(message, link);
    }
  }

  nextDeadline(): number {
    const timeout = this.#ctx.options.ackTimeoutMs;
    if (timeout <= 0) return Infinity;
    const first = this.#deadlines.first();
    return first === undefined ? Infinity : first.sentAt + timeout;
  }

  /** The application gave up on message `id` before it went out. */
  abort(id: number, reason?: unknown): void {
    const message = this.#byId.get(id);
    if (message === undefined) {
      const queued = this.#qos0.toArray().find((q) => q.id === id);
      if (queued !== undefined && this.#qos0.remove(queued)) this.#reject(id, new AbortError(false, { cause: reason }));
      return;
    }
    if (message.has(SENT_ONCE)) return; // once sent it cannot be called back: the flow goes on
    this.#drop(message, new AbortError(false, { cause: reason }));
  }

  /** Whether message `id` has gone out (or, for QoS 0, is no longer waiting). */
  wasSent(id: number): boolean {
    const message = this.#byId.get(id);
    if (message !== undefined) return message.has(SENT_ONCE);
    return !this.#qos0.toArray().some((q) => q.id === id);
  }

  has(id: number): boolean {
    return this.#byId.get(id) !== undefined || this.#qos0.toArray().some((q) => q.id === id);
  }

  pending(): OutboxEntry[] {
    return this.#byId.values().map((message) => message.entry());
  }

  /** Re-checks every owed message against a new protocol version (after falling back to 3.1.1). */
  revalidate(): void {
    const version = this.#ctx.policy.version;
    for (const message of this.#byId.values()) {
      const problem = encodingProblem(message.record, version);
      if (problem !== undefined) this.#drop(message, problem);
    }
    for (const queued of this.#qos0.toArray()) {
      const problem = encodingProblem(queued.request, version);
      if (problem !== undefined && this.#qos0.remove(queued)) this.#reject(queued.id, problem);
    }
  }

  /** Ends by force: every owed publish is rejected; the outbox keeps its records. */
  endAll(error: MqttError): void {
    for (const message of this.#byId.values()) this.#reject(message.id, error);
    for (const queued of this.#qos0.clear()) this.#reject(queued.id, error);
    this.#byId.clear();
    this.#queue.clear();
    this.#toSend.clear();
    this.#toRelease.clear();
    this.#released.clear();
    this.#inflight.clear();
    this.#deadlines.clear();
  }

  #sendQoS0(id: number, request: PublishRequest): void {
    // QoS 0 settles once its bytes are written to the socket: the only promise it has.
    this.#ctx.send(this.#onLink(publishPacketOf(request), this.#ctx.link as Link), { type: 'settle', operation: 'publish', id, result: { id, qos: 0 } });
  }

  #assignId(message: OutgoingMessage): boolean {
    const packetId = this.#ctx.ids.allocate();
    if (packetId === 0) return false;
    this.#take(message, packetId);
    return true;
  }

  /** `message` goes under `packetId`, to be sent in its turn. */
  #take(message: OutgoingMessage, packetId: number): void {
    message.packetId = packetId;
    message.state = 'sent';
    message.set(WAITING_TO_SEND, true);
    this.#inflight.set(packetId, message);
    this.#toSend.push(message);
  }

  #persist(change: { op: 'put'; record: OutgoingRecord } | { op: 'update'; id: number; state: 'sent'; packetId: number }, message: OutgoingMessage): void {
    message.writes++;
    this.#ctx.emit({ type: 'persist', change, awaited: true });
  }

  #transmit(message: OutgoingMessage, link: Link): void {
    this.#ctx.send(this.#onLink(message.publishPacket(), link));
    message.set(SENT_ONCE, true);
    message.set(HOLDS_QUOTA, true);
    link.quota--;
    this.#onWireNow(message);
  }

  /** An in-session resend (3.1.1): same packet id, DUP=1, no new quota. */
  #retransmit(message: OutgoingMessage, link: Link): void {
    if (!message.has(HOLDS_QUOTA)) {
      this.#transmit(message, link);
      return;
    }
    this.#ctx.send(this.#onLink(message.publishPacket(), link));
    this.#onWireNow(message);
  }

  /** The PUBLISH as it goes on this connection: with an automatic topic alias when asked for. */
  #onLink(packet: PublishPacket, link: Link): PublishPacket {
    return this.#ctx.options.autoTopicAliases === true ? withTopicAlias(packet, link, this.#ctx.policy.version) : packet;
  }

  #sendPubrel(message: OutgoingMessage): void {
    this.#ctx.send({ type: 'pubrel', packetId: message.packetId });
    this.#onWireNow(message);
  }

  /** Marks it sent now: its ack is due `ackTimeoutMs` from now. */
  #onWireNow(message: OutgoingMessage): void {
    message.set(ON_WIRE, true);
    // Whole milliseconds, rounded up (its ack timeout can only come later, by under 1 ms): V8
    // keeps a small integer in the object itself, a fraction in a 16-byte box per message.
    message.sentAt = Math.ceil(this.#ctx.now);
    if (this.#ctx.options.ackTimeoutMs > 0) this.#deadlines.push(message); // else nothing is ever due
  }

  /** The final ack (or a refusal) arrived: the message is done and its packet id free. */
  #complete(message: OutgoingMessage, ack: AckPacket<'puback' | 'pubrec' | 'pubcomp'> | undefined): void {
    if (message.has(RELEASING)) this.#toRelease.remove(message);
    this.#released.delete(message);
    this.#inflight.delete(message.packetId);
    message.set(ON_WIRE, false);
    this.#ctx.ids.release(message.packetId);
    this.#byId.delete(message.id);
    const link = this.#ctx.link;
    if (message.has(HOLDS_QUOTA) && link !== null && link.quota < link.quotaMax) link.quota++;
    this.#ctx.emit({ type: 'forget', change: { op: 'delete', id: message.id } });
    const reasonCode = ack?.reasonCode;
    // Only PUBACK and PUBREC can refuse a message [MQTT-4.4.0-2]. A PUBCOMP of 0x92 comes after
    // a PUBREC, when the broker had already completed the flow: the message was delivered.
    if (ack !== undefined && ack.type !== 'pubcomp' && this.#ctx.policy.refuses(reasonCode)) {
      const code = reasonCode as number;
      this.#reject(message.id, new PublishRejectedError(code, ack, `the broker refused the message: ${reasonCodeText(code)}`));
      return;
    }
    const result: PublishResult = { id: message.id, qos: message.qos, packetId: message.packetId };
    const reported = this.#ctx.policy.resultReasonCode(reasonCode);
    if (reported !== undefined) result.reasonCode = reported;
    const acknowledgedAtQos = ack === undefined ? message.qos : ack.type === 'puback' ? 1 : 2;
    if (acknowledgedAtQos !== message.qos) result.acknowledgedAtQos = acknowledgedAtQos;
    if (ack?.properties !== undefined) result.properties = ack.properties;
    this.#resolve(message.id, result);
  }

  /** Gives up on a message that has not gone out: its record, its id and its promise. */
  #drop(message: OutgoingMessage, error: MqttError): void {
    if (!this.#queue.remove(message)) this.#toSend.remove(message);
    this.#released.delete(message);
    if (message.packetId !== 0) {
      this.#inflight.delete(message.packetId);
      this.#ctx.ids.release(message.packetId);
    }
    message.set(ON_WIRE, false);
    this.#byId.delete(message.id);
    this.#ctx.emit({ type: 'forget', change: { op: 'delete', id: message.id } });
    this.#reject(message.id, error);
  }

  /** Why the broker would not take this message, from what its CONNACK said, if it would not. */
  #refusal(request: PublishRequest, link: Link): MqttError | undefined {
    const limits = link.limits;
    if (limits === undefined) return undefined;
    if (request.qos > limits.maximumQoS) {
      return new InvalidArgumentError(`the broker accepts QoS ${limits.maximumQoS} at most [MQTT-3.2.2-11]`);
    }
    // [MQTT-3.3.2-9]: no alias above the broker's Topic Alias Maximum; none of the
    // application's beside automatic ones, which own the alias space.
    const topicAlias = request.properties?.topicAlias;
    if (topicAlias !== undefined && (this.#ctx.options.autoTopicAliases === true || topicAlias > limits.topicAliasMaximum)) {
      return new InvalidArgumentError(`topic alias ${topicAlias} with autoTopicAliases or above the broker's Topic Alias Maximum (${limits.topicAliasMaximum}) [MQTT-3.3.2-9]`);
    }
    if (request.retain && !limits.retainAvailable) {
      return new InvalidArgumentError('the broker does not accept retained messages [MQTT-3.2.2-14]');
    }
    if (limits.maximumPacketSize < MAX_PACKET_SIZE && request.payload.length + 7 > limits.maximumPacketSize / 2) {
      const size = measurePublish(publishPacketOf(request), this.#ctx.policy.version);
      if (size > limits.maximumPacketSize) {
        return new InvalidArgumentError(`the message takes ${size} bytes; the broker accepts ${limits.maximumPacketSize} at most [MQTT-3.2.2-15]`);
      }
    }
    return undefined;
  }

  /** A broker's deviation from the flow of a message's QoS, reported once per connection and kind. */
  #deviation(ack: string, what: string): void {
    const link = this.#ctx.link;
    if (link !== this.#warnedLink) {
      this.#warnedLink = link;
      this.#warned.clear();
    }
    if (this.#warned.has(ack)) return;
    this.#warned.add(ack);
    this.#ctx.warn(new MqttError('ERR_UNEXPECTED_ACK', `the broker sent ${ack} for ${what} (reported once per connection)`));
  }

  #unexpected(ack: AckPacket<'puback' | 'pubrec' | 'pubcomp'>): void {
    this.#ctx.warn(new MqttError('ERR_UNEXPECTED_ACK', `the broker sent ${ack.type.toUpperCase()} for packet id ${ack.packetId}, which awaits no such ack: ignored`));
  }

  #resolve(id: number, result: PublishResult): void {
    this.#ctx.emit({ type: 'settle', operation: 'publish', id, result });
  }

  #reject(id: number, error: MqttError): void {
    this.#ctx.emit({ type: 'settle', operation: 'publish', id, error });
  }
}

const MAX_PACKET_SIZE = 268_435_460;

function byId(a: OutgoingMessage, b: OutgoingMessage): number {
  return a.id - b.id;
}
