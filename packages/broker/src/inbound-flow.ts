import type { ProtocolVersion, PublishPacket, PubrelPacket } from '@courier/core';
import { ReasonCode } from '@courier/core';
import type { BrokerCore } from './broker-core';
import type { Link } from './link';
import { andThen, callHook, type MaybePromise } from './maybe-async';
import { messageFromPublish } from './message';
import type { ClientInfo } from './options';
import type { Session } from './session';

/** Closes the connection for a protocol violation (5.0: DISCONNECT with `reasonCode` first). */
export type Fail = (reasonCode: number, reason: string) => void;

/**
 * Messages from one connected client to the broker: topic aliases, authorization, QoS 1 and 2
 * acknowledgements, Receive Maximum. QoS 2 is received as "Method B" (4.3.3): the message is
 * routed when PUBLISH arrives and only its packet id is kept until PUBREL, so memory per client
 * is bounded by ids, not payloads (EMQX does the same; Mosquitto routes at PUBREL instead).
 */
export class InboundFlow {
  // Topic aliases live and die with the connection [MQTT-3.3.2-7].
  private readonly aliases = new Map<number, string>();

  constructor(
    private readonly core: BrokerCore,
    private readonly session: Session,
    private readonly link: Link,
    private readonly version: ProtocolVersion,
    private readonly client: ClientInfo,
    private readonly fail: Fail,
  ) {}

  publish(packet: PublishPacket): MaybePromise<void> {
    const { options } = this.core;
    let topic = packet.topic;
    const properties = packet.properties;
    const alias = properties?.topicAlias;
    if (alias !== undefined) {
      // A Topic Alias of 0 is refused by the decoder (0x94); above our maximum is refused here
      // [MQTT-3.2.2-17] (the client's obligation), with 0x94 as 3.3.2.3.4 says.
      if (alias > options.topicAliasMaximum) {
        return this.fail(ReasonCode.TopicAliasInvalid, `topic alias ${alias} is above the maximum of ${options.topicAliasMaximum}`);
      }
      if (topic.length > 0) {
        this.aliases.set(alias, topic);
      } else {
        const known = this.aliases.get(alias);
        if (known === undefined) return this.fail(ReasonCode.ProtocolError, `topic alias ${alias} has no topic yet`);
        topic = known;
      }
    }
    if (properties?.subscriptionIdentifiers !== undefined) {
      return this.fail(ReasonCode.ProtocolError, 'a PUBLISH from a client carries a subscription identifier'); // [MQTT-3.3.4-6]
    }
    const { inboundQos2 } = this.session.state;
    if (packet.qos === 2 && inboundQos2.has(packet.packetId!)) {
      // A repeat before PUBREL: PUBREC again, no second delivery [MQTT-4.3.3-10].
      this.ack('pubrec', packet.packetId!, 0);
      return;
    }
    // QoS 1 is acknowledged as soon as it is processed, so only QoS 2 awaiting PUBREL counts (3.3.4).
    if (packet.qos > 0 && this.version === 5 && inboundQos2.size >= options.receiveMaximum) {
      return this.fail(ReasonCode.ReceiveMaximumExceeded, `more than ${options.receiveMaximum} QoS 1 and 2 messages unacknowledged`);
    }
    const hook = options.hooks.authorizePublish;
    if (hook === undefined) return this.accept(packet, topic, true);
    const verdict = callHook(() => hook.call(options.hooks, this.client, topic), false, (error) =>
      this.core.log(`authorizePublish threw for ${this.client.clientId}: ${String(error)}`),
    );
    return andThen(verdict, (allowed) => this.accept(packet, topic, allowed === true));
  }

  /** PUBREL releases a QoS 2 packet id; PUBCOMP answers it always [MQTT-4.3.3-11] (5.0: 0x92 if unknown). */
  pubrel(packet: PubrelPacket): void {
    const known = this.session.state.inboundQos2.delete(packet.packetId);
    this.ack('pubcomp', packet.packetId, known ? 0 : ReasonCode.PacketIdentifierNotFound);
  }

  private accept(packet: PublishPacket, topic: string, allowed: boolean): void {
    if (this.link.closed) return;
    const { qos } = packet;
    const packetId = packet.packetId!;
    if (!allowed) {
      this.core.log(`${this.client.clientId}: not authorized to publish to ${topic}`);
      // 5.0 says so with 0x87 and the flow ends; 3.1.1 cannot, so the message is acknowledged
      // as usual and dropped (3.3.5, as Mosquitto does).
      if (qos === 1) this.ack('puback', packetId, ReasonCode.NotAuthorized);
      if (qos === 2) {
        if (this.version === 4) this.session.state.inboundQos2.add(packetId);
        this.ack('pubrec', packetId, ReasonCode.NotAuthorized);
      }
      return;
    }
    const message = messageFromPublish(packet, topic, this.client.clientId, this.core.scheduler.now());
    if (packet.retain) this.core.retain(message);
    const receivers = this.core.publish(message);
    const reasonCode = receivers === 0 ? ReasonCode.NoMatchingSubscribers : 0;
    if (qos === 1) this.ack('puback', packetId, reasonCode);
    if (qos === 2) {
      this.session.state.inboundQos2.add(packetId);
      this.ack('pubrec', packetId, reasonCode);
    }
  }

  /** An acknowledgement; 3.1.1 has no reason codes, so they are left out for it. */
  private ack(type: 'puback' | 'pubrec' | 'pubcomp', packetId: number, reasonCode: number): void {
    if (this.version === 5 && reasonCode !== 0) this.link.send({ type, packetId, reasonCode });
    else this.link.send({ type, packetId });
  }
}
