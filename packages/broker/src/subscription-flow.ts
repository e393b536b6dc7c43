import { type ProtocolVersion, type QoS, ReasonCode, type SubscribePacket, type UnsubscribePacket } from '@courier/core';
import type { BrokerCore } from './broker-core';
import type { Fail } from './inbound-flow';
import type { Link } from './link';
import { allOf, andThen, callHook, type MaybePromise } from './maybe-async';
import type { ClientInfo } from './options';
import type { OutboundFlow } from './outbound-flow';
import type { Session } from './session';
import type { StoredSubscription } from './session-state';
import { filterCovers, type ParsedFilter, parseTopicFilter } from './topic-filter';

/**
 * SUBSCRIBE and UNSUBSCRIBE of one connected client: filters checked, `denySubscribe` and the
 * `authorizeSubscribe` hook asked, the session's subscriptions changed, retained messages sent.
 */
export class SubscriptionFlow {
  constructor(
    private readonly core: BrokerCore,
    private readonly session: Session,
    private readonly link: Link,
    private readonly version: ProtocolVersion,
    private readonly client: ClientInfo,
    private readonly outbound: OutboundFlow,
    private readonly fail: Fail,
  ) {}

  subscribe(packet: SubscribePacket): MaybePromise<void> {
    const parsed = packet.subscriptions.map((request) => parseTopicFilter(request.topicFilter));
    for (let i = 0; i < parsed.length; i++) {
      if (parsed[i]?.shareName !== undefined && packet.subscriptions[i]!.noLocal === true) {
        return this.fail(ReasonCode.ProtocolError, 'No Local on a shared subscription'); // [MQTT-3.8.3-4]
      }
    }
    const verdicts = packet.subscriptions.map((request, i) => this.verdict(request.topicFilter, parsed[i]));
    return andThen(allOf(verdicts), (allowed) => this.subscribed(packet, parsed, allowed));
  }

  /** Whether a filter may be subscribed to: `denySubscribe` first, then `authorizeSubscribe`. */
  private verdict(topicFilter: string, parsed: ParsedFilter | undefined): MaybePromise<boolean | 'denied'> {
    if (parsed === undefined) return true; // answered as invalid, whatever the hooks say
    const { hooks, denySubscribe } = this.core.options;
    if (denySubscribe.some((deny) => filterCovers(deny, parsed.filter))) return 'denied';
    const authorize = hooks.authorizeSubscribe;
    if (authorize === undefined) return true;
    return callHook(() => authorize.call(hooks, this.client, topicFilter), false, (error) =>
      this.core.log(`authorizeSubscribe threw for ${this.client.clientId}: ${String(error)}`),
    );
  }

  /**
   * Answers a SUBSCRIBE filter by filter, as if each came alone [MQTT-3.8.4-5]: the granted QoS,
   * or 0x80 (3.1.1) / 0x8F invalid filter, 0x87 not authorized (5.0) [MQTT-3.8.4-7], in order
   * [MQTT-3.9.3-1]; a filter under `denySubscribe` gets 0x80 at both versions (as Paho's test
   * broker answers, which Paho's suites check). Retained messages follow the SUBACK.
   */
  private subscribed(
    packet: SubscribePacket,
    parsed: (ParsedFilter | undefined)[],
    allowed: (boolean | 'denied')[],
  ): void {
    if (this.link.closed) return;
    const session = this.session;
    const v5 = this.version === 5;
    const subscriptionIdentifier = packet.properties?.subscriptionIdentifier;
    const reasonCodes: number[] = [];
    const withRetained: [StoredSubscription, ParsedFilter][] = [];
    packet.subscriptions.forEach((request, i) => {
      const filter = parsed[i];
      if (filter === undefined) {
        this.core.log(`${this.client.clientId}: invalid topic filter ${JSON.stringify(request.topicFilter)}`);
        reasonCodes.push(v5 ? ReasonCode.TopicFilterInvalid : 0x80);
        return;
      }
      if (allowed[i] === 'denied') {
        this.core.log(`${this.client.clientId}: subscription to ${request.topicFilter} denied`);
        reasonCodes.push(ReasonCode.UnspecifiedError);
        return;
      }
      if (allowed[i] !== true) {
        this.core.log(`${this.client.clientId}: not authorized to subscribe to ${request.topicFilter}`);
        reasonCodes.push(v5 ? ReasonCode.NotAuthorized : 0x80);
        return;
      }
      const subscription: StoredSubscription = {
        topicFilter: request.topicFilter,
        qos: request.qos,
        noLocal: request.noLocal === true,
        retainAsPublished: request.retainAsPublished === true,
        retainHandling: request.retainHandling ?? 0,
        subscriptionIdentifier,
      };
      const existed = this.core.subscribe(session, subscription, filter);
      reasonCodes.push(request.qos);
      // Not for shared subscriptions (4.8.2); Retain Handling 0 always, 1 if new, 2 never
      // [MQTT-3.3.1-9], [MQTT-3.3.1-10], [MQTT-3.3.1-11].
      const handling = subscription.retainHandling;
      if (filter.shareName === undefined && (handling === 0 || (handling === 1 && !existed))) {
        withRetained.push([subscription, filter]);
      }
    });
    this.link.send({ type: 'suback', packetId: packet.packetId, reasonCodes }); // [MQTT-3.8.4-1]
    for (const [subscription, filter] of withRetained) {
      const id = subscription.subscriptionIdentifier;
      for (const message of this.core.retainedMatching(filter.filter)) {
        // Sent because of a new subscription: RETAIN=1 (3.3.1.3).
        this.outbound.deliver({
          message,
          qos: Math.min(message.qos, subscription.qos) as QoS,
          retain: true,
          subscriptionIdentifiers: id === undefined ? undefined : [id],
        });
      }
    }
  }

  /**
   * UNSUBSCRIBE: always answered [MQTT-3.10.4-4]; 5.0 says per filter whether it existed. Its
   * filters are checked as a SUBSCRIBE's [MQTT-4.7.3-1] (4.7.1), but as there is no slot to refuse
   * one in, an invalid one makes the packet malformed (5.0: DISCONNECT 0x81), as Mosquitto does.
   */
  unsubscribe(packet: UnsubscribePacket): void {
    const invalid = packet.topicFilters.find((filter) => parseTopicFilter(filter) === undefined);
    if (invalid !== undefined) {
      return this.fail(ReasonCode.MalformedPacket, `UNSUBSCRIBE of the invalid topic filter ${JSON.stringify(invalid)}`);
    }
    const session = this.session;
    const reasonCodes = packet.topicFilters.map((filter) =>
      this.core.unsubscribe(session, filter) ? 0 : ReasonCode.NoSubscriptionExisted,
    );
    if (this.version === 5) this.link.send({ type: 'unsuback', packetId: packet.packetId, reasonCodes });
    else this.link.send({ type: 'unsuback', packetId: packet.packetId });
  }
}
