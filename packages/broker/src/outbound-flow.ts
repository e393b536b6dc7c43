import type { PubackPacket, PubcompPacket, PubrecPacket, ProtocolVersion, PublishPacket } from '@courier/core';
import { ReasonCode } from '@courier/core';
import type { BrokerCore } from './broker-core';
import type { Link } from './link';
import { compact, type Delivery, isExpired, publishPacketFor } from './message';
import { OutgoingAliases } from './outgoing-aliases';
import type { Session } from './session';
import { allocatePacketId } from './session-state';

// An ack frees one place and flush() takes one message: V8's `shift()` of a long queue costs
// about 0.1 to 4 µs, its `splice(0, 1)` 25 to 200 µs (it copies the whole array), which made a
// subscriber with thousands queued cost the broker O(n) per ack. A long run goes in one splice.
const SHIFTS_AT_MOST = 16;

/**
 * Messages from the broker to one connected client: the QoS 1/2 window, the queue behind it, the
 * acknowledgements, and the resend on reconnect. Sans-IO: it sends packets through its `Link`.
 */
export class OutboundFlow {
  private readonly aliases: OutgoingAliases;

  constructor(
    private readonly core: BrokerCore,
    private readonly session: Session,
    private readonly link: Link,
    private readonly version: ProtocolVersion,
    /** In-flight limit: min(the client's Receive Maximum, maxInflightMessages) [MQTT-3.3.4-9]. */
    private readonly window: number,
    /** The Topic Alias Maximum of the client's CONNECT (0: none; always 0 for 3.1.1). */
    topicAliasMaximum: number,
  ) {
    this.aliases = new OutgoingAliases(topicAliasMaximum);
  }

  /** Sends a routed message now, or queues it behind those already waiting (in order, 4.6). */
  deliver(delivery: Delivery): void {
    const { queue } = this.session.state;
    if (queue.length === 0 && this.canSend(delivery)) {
      this.send(delivery);
      return;
    }
    compact(delivery.message);
    this.core.queueOrDrop(this.session, delivery);
  }

  /**
   * On reconnect with a session present: every unacknowledged PUBLISH again with DUP=1 and its
   * packet id, in the original order, and PUBREL for the released ones [MQTT-4.4.0-1],
   * [MQTT-3.3.1-1]; then what waited in the queue.
   */
  resume(): void {
    const { inflight } = this.session.state;
    const now = this.core.scheduler.now();
    for (const entry of inflight.values()) {
      if (entry.released) {
        this.link.send({ type: 'pubrel', packetId: entry.packetId });
      } else if (!this.sendPublish(publishPacketFor(entry.delivery, entry.packetId, true, this.version, now))) {
        inflight.delete(entry.packetId); // too large for this client: as if delivered [MQTT-3.1.2-25]
      }
    }
    this.flush();
  }

  /** Sends what the queue holds, as far as the window and the connection allow. */
  flush(): void {
    const { queue } = this.session.state;
    const now = this.core.scheduler.now();
    let taken = 0;
    while (taken < queue.length) {
      const delivery = queue[taken]!;
      // An expired message not yet sent is dropped [MQTT-3.3.2-5].
      if (isExpired(delivery.message, now)) {
        taken++;
        continue;
      }
      if (!this.canSend(delivery)) break;
      taken++;
      this.send(delivery);
    }
    if (taken > SHIFTS_AT_MOST) queue.splice(0, taken);
    else for (let i = 0; i < taken; i++) queue.shift();
  }

  /** PUBACK ends a QoS 1 flow and frees its place in the window. */
  puback(packet: PubackPacket): void {
    const entry = this.session.state.inflight.get(packet.packetId);
    if (entry === undefined || entry.delivery.qos !== 1) {
      this.core.log(`${this.session.clientId}: PUBACK for packet id ${packet.packetId}, which is not in flight; ignored`);
      return;
    }
    this.session.state.inflight.delete(packet.packetId);
    this.flush();
  }

  /**
   * PUBREC: answered with PUBREL [MQTT-4.3.3-4], again if it repeats. A PUBREC of 0x80 or more
   * ends the flow [MQTT-4.4.0-2]. An unknown id gets PUBREL too (5.0: with 0x92).
   */
  pubrec(packet: PubrecPacket): void {
    const { inflight } = this.session.state;
    const entry = inflight.get(packet.packetId);
    if (entry === undefined || entry.delivery.qos !== 2) {
      const reasonCode = this.version === 5 ? ReasonCode.PacketIdentifierNotFound : 0;
      this.link.send({ type: 'pubrel', packetId: packet.packetId, reasonCode });
      return;
    }
    if ((packet.reasonCode ?? 0) >= 0x80) {
      inflight.delete(packet.packetId);
      this.flush();
      return;
    }
    entry.released = true;
    this.link.send({ type: 'pubrel', packetId: packet.packetId });
  }

  /** PUBCOMP ends a QoS 2 flow and frees its place in the window. */
  pubcomp(packet: PubcompPacket): void {
    const entry = this.session.state.inflight.get(packet.packetId);
    if (entry === undefined || !entry.released) {
      this.core.log(`${this.session.clientId}: PUBCOMP for packet id ${packet.packetId}, which is not released; ignored`);
      return;
    }
    this.session.state.inflight.delete(packet.packetId);
    this.flush();
  }

  private canSend(delivery: Delivery): boolean {
    if (this.link.closed || this.link.congested) return false;
    return delivery.qos === 0 || this.session.state.inflight.size < this.window;
  }

  private send(delivery: Delivery): void {
    const now = this.core.scheduler.now();
    if (delivery.qos === 0) {
      this.sendPublish(publishPacketFor(delivery, undefined, false, this.version, now));
      return;
    }
    const { state } = this.session;
    const packetId = allocatePacketId(state);
    state.inflight.set(packetId, { packetId, delivery, released: false });
    if (!this.sendPublish(publishPacketFor(delivery, packetId, false, this.version, now))) {
      state.inflight.delete(packetId); // too large for this client: as if delivered [MQTT-3.1.2-25]
    }
  }

  /** A PUBLISH to the client, through its topic aliases; false when it could not be sent. */
  private sendPublish(packet: PublishPacket): boolean {
    return this.aliases.send(packet, (aliased) => this.link.send(aliased));
  }
}
