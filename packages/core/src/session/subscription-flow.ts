import type { QoS, SubackPacket, Subscription, UnsubackPacket } from '../codec/packet';
import type { SubscribeProperties, UnsubscribeProperties } from '../codec/properties';
import { reasonCodeText } from '../codec/reason-code-text';
import { ConnectionError, InvalidArgumentError, MqttError, ProtocolError, SubscribeRejectedError } from '../errors';
import { Fifo } from '../util/fifo';
import { sizeRefusal } from './packet-size';
import type { SessionContext } from './session-context';
import type { SubscribeResult, UnsubscribeResult } from './session-types';
import { subscribeEncodingProblem, unsubscribeEncodingProblem } from './subscribe-packet';

interface Operation {
  kind: 'subscribe' | 'unsubscribe';
  /** The application's operation id; 0 for a resubscription of our own. */
  id: number;
  /** Order of request, to keep it when operations are requeued. */
  seq: number;
  subscriptions: Subscription[];
  topicFilters: string[];
  properties: SubscribeProperties | UnsubscribeProperties | undefined;
  packetId: number;
  sentAt: number;
}

interface ActiveSubscription {
  subscription: Subscription;
  properties: SubscribeProperties | undefined;
}

// Resubscriptions go in packets of this many filters, to stay well under packet size limits.
const RESUBSCRIBE_BATCH = 64;

/**
 * SUBSCRIBE and UNSUBSCRIBE. Requests wait for a connection and a packet id, in order. The
 * subscriptions the broker granted are remembered, so that they can be made again when a
 * connection finds no session on the broker. An operation cut off by a lost connection is sent
 * again on the next one.
 */
export class SubscriptionFlow {
  readonly #active = new Map<string, ActiveSubscription>();
  readonly #waiting = new Fifo<Operation>();
  readonly #inflight = new Map<number, Operation>();
  #seq = 0;

  readonly #ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  /** Operations of the application not yet answered. */
  get owed(): number {
    let count = 0;
    for (const op of this.#waiting.toArray()) if (op.id !== 0) count++;
    for (const op of this.#inflight.values()) if (op.id !== 0) count++;
    return count;
  }

  requestSubscribe(id: number, subscriptions: Subscription[], properties: SubscribeProperties | undefined): void {
    this.#request(this.#operation('subscribe', id, subscriptions, [], properties));
  }

  requestUnsubscribe(id: number, topicFilters: string[], properties: UnsubscribeProperties | undefined): void {
    if (!this.#request(this.#operation('unsubscribe', id, [], topicFilters, properties))) return;
    // Forgotten at once, so that a reconnect in between does not subscribe them again.
    for (const filter of topicFilters) this.#active.delete(filter);
  }

  /** The broker has no session for us: subscribe again to everything it had granted. */
  resubscribe(): void {
    const version = this.#ctx.policy.version;
    const groups = new Map<SubscribeProperties | undefined, Subscription[]>();
    for (const [filter, { subscription, properties }] of this.#active) {
      const problem = subscribeEncodingProblem([subscription], properties, version);
      if (problem !== undefined) {
        // Made under 5.0 before a fallback to 3.1.1: it cannot be made again as it was.
        this.#active.delete(filter);
        this.#ctx.warn(new InvalidArgumentError(`"${filter}" is not subscribed again: the broker speaks only 3.1.1: ${problem.message}`));
        continue;
      }
      const group = groups.get(properties) ?? [];
      group.push(subscription);
      groups.set(properties, group);
    }
    const requeued: Operation[] = [];
    for (const [properties, subscriptions] of groups) {
      for (let i = 0; i < subscriptions.length; i += RESUBSCRIBE_BATCH) {
        requeued.push(this.#operation('subscribe', 0, subscriptions.slice(i, i + RESUBSCRIBE_BATCH), [], properties));
      }
    }
    this.#waiting.unshiftAll(requeued);
  }

  /** After falling back to 3.1.1: operations that need 5.0 are refused, not sent without their options. */
  revalidate(): void {
    for (const op of this.#waiting.toArray()) {
      const problem = this.#problem(op);
      if (problem === undefined || !this.#waiting.remove(op)) continue;
      this.#reject(op, new InvalidArgumentError(`this operation needs MQTT 5.0, and the broker speaks only 3.1.1: ${problem.message}`));
    }
  }

  /**
   * Queues an operation (true), or refuses one the codec could not encode in this version: sent,
   * it would fail at the encoder, close the connection, and go again on the next one.
   */
  #request(op: Operation): boolean {
    const problem = this.#problem(op);
    if (problem === undefined) this.#waiting.push(op);
    else this.#reject(op, new InvalidArgumentError(problem.message));
    return problem === undefined;
  }

  #problem(op: Operation): MqttError | undefined {
    const version = this.#ctx.policy.version;
    return op.kind === 'subscribe'
      ? subscribeEncodingProblem(op.subscriptions, op.properties, version)
      : unsubscribeEncodingProblem(op.topicFilters, op.properties, version);
  }

  pump(): void {
    const link = this.#ctx.link;
    if (link === null || !link.open) return;
    for (let op = this.#waiting.peek(); op !== undefined; op = this.#waiting.peek()) {
      const packetId = this.#ctx.ids.allocate();
      if (packetId === 0) return; // all ids in use: wait
      this.#waiting.shift();
      const packet =
        op.kind === 'subscribe'
          ? withProperties({ type: 'subscribe' as const, packetId, subscriptions: op.subscriptions }, op.properties)
          : withProperties({ type: 'unsubscribe' as const, packetId, topicFilters: op.topicFilters }, op.properties);
      const refusal = sizeRefusal(packet, this.#ctx.policy.version, link.limits);
      if (refusal !== undefined) {
        this.#ctx.ids.release(packetId);
        this.#reject(op, refusal);
        continue;
      }
      op.packetId = packetId;
      op.sentAt = this.#ctx.now;
      this.#inflight.set(packetId, op);
      this.#ctx.send(packet);
    }
  }

  onSuback(packet: SubackPacket): void {
    const op = this.#take(packet.packetId, 'subscribe');
    if (op === undefined) return;
    if (!this.#answersEvery(op, 'SUBACK', packet.reasonCodes.length, op.subscriptions.length)) return;
    const failures: { topicFilter: string; reasonCode: number }[] = [];
    op.subscriptions.forEach((subscription, i) => {
      const reasonCode = packet.reasonCodes[i] as number;
      if (reasonCode < 0x80) this.#active.set(subscription.topicFilter, { subscription, properties: op.properties });
      else failures.push({ topicFilter: subscription.topicFilter, reasonCode });
    });
    if (failures.length > 0) {
      this.#reject(op, new SubscribeRejectedError(failures, `the broker refused ${describe(failures)}`));
      return;
    }
    const result: SubscribeResult = { granted: packet.reasonCodes as QoS[], reasonCodes: packet.reasonCodes };
    if (packet.properties !== undefined) result.properties = packet.properties;
    if (op.id !== 0) this.#ctx.emit({ type: 'settle', operation: 'subscribe', id: op.id, result });
  }

  onUnsuback(packet: UnsubackPacket): void {
    const op = this.#take(packet.packetId, 'unsubscribe');
    if (op === undefined) return;
    if (packet.reasonCodes !== undefined && !this.#answersEvery(op, 'UNSUBACK', packet.reasonCodes.length, op.topicFilters.length)) return;
    const codes = packet.reasonCodes ?? [];
    const failures = codes
      .map((reasonCode, i) => ({ topicFilter: op.topicFilters[i] ?? '', reasonCode }))
      .filter((f) => f.reasonCode >= 0x80);
    if (failures.length > 0) {
      this.#reject(op, new SubscribeRejectedError(failures, `the broker refused to unsubscribe ${describe(failures)}`));
      return;
    }
    const result: UnsubscribeResult = {};
    if (packet.reasonCodes !== undefined) result.reasonCodes = packet.reasonCodes;
    if (packet.properties !== undefined) result.properties = packet.properties;
    if (op.id !== 0) this.#ctx.emit({ type: 'settle', operation: 'unsubscribe', id: op.id, result });
  }

  /** Operations cut off by the lost connection go again on the next one, in their order. */
  onConnectionLost(): void {
    const cut = [...this.#inflight.values()];
    for (const op of cut) this.#ctx.ids.release(op.packetId);
    this.#inflight.clear();
    this.#waiting.unshiftAll(cut.sort((a, b) => a.seq - b.seq));
  }

  /** No SUBACK or UNSUBACK in time: nothing may be resent in-session, so reconnect. */
  checkTimeouts(): void {
    if (this.nextDeadline() <= this.#ctx.now) {
      this.#ctx.closeConnection(new ConnectionError(`no SUBACK or UNSUBACK within ${this.#ctx.options.ackTimeoutMs} ms: reconnecting`));
    }
  }

  nextDeadline(): number {
    const timeout = this.#ctx.options.ackTimeoutMs;
    if (timeout <= 0) return Infinity;
    for (const op of this.#inflight.values()) return op.sentAt + timeout; // the oldest: Map keeps send order
    return Infinity;
  }

  endAll(error: MqttError): void {
    for (const op of [...this.#waiting.clear(), ...this.#inflight.values()]) this.#reject(op, error);
    this.#inflight.clear();
  }

  #operation(
    kind: Operation['kind'],
    id: number,
    subscriptions: Subscription[],
    topicFilters: string[],
    properties: SubscribeProperties | UnsubscribeProperties | undefined,
  ): Operation {
    return { kind, id, seq: ++this.#seq, subscriptions, topicFilters, properties, packetId: 0, sentAt: 0 };
  }

  #take(packetId: number, kind: Operation['kind']): Operation | undefined {
    const op = this.#inflight.get(packetId);
    if (op === undefined || op.kind !== kind) {
      this.#ctx.warn(new MqttError('ERR_UNEXPECTED_ACK', `the broker sent ${kind === 'subscribe' ? 'SUBACK' : 'UNSUBACK'} for packet id ${packetId}, which awaits none: ignored`));
      return undefined;
    }
    this.#inflight.delete(packetId);
    this.#ctx.ids.release(packetId);
    return op;
  }

  /** One reason code per topic filter, or the broker broke the protocol: the operation fails with it. */
  #answersEvery(op: Operation, ack: 'SUBACK' | 'UNSUBACK', codes: number, filters: number): boolean {
    if (codes === filters) return true;
    // The operation is out of flight already: it settles here, or its promise would never.
    const error = new ProtocolError(0x82 /* Protocol Error */, `${ack} has ${codes} reason codes for ${filters} topic filters`);
    this.#reject(op, error);
    this.#ctx.fail(error);
    return false;
  }

  #reject(op: Operation, error: MqttError): void {
    if (op.id === 0) this.#ctx.warn(error); // our own resubscription: nobody awaits it
    else this.#ctx.emit({ type: 'settle', operation: op.kind, id: op.id, error });
  }
}

function withProperties<T extends object>(packet: T, properties: object | undefined): T {
  return properties === undefined ? packet : { ...packet, properties };
}

function describe(failures: { topicFilter: string; reasonCode: number }[]): string {
  return failures.map((f) => `"${f.topicFilter}" (${reasonCodeText(f.reasonCode)})`).join(', ');
}
