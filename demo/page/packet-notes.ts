// What each packet of a QoS flow is for, in the words of the MQTT 5.0 specification (sections
// 3.3 to 3.7 and 4.3): the hover text of each row in the diagram and the legend under it.
import type { FlowPacketType, PacketFlowEvent } from '../shared/flow-event';

/** One sentence or two per packet kind: what it promises and why it exists. */
export const PACKET_NOTES: Partial<Record<FlowPacketType, string>> = {
  publish:
    'PUBLISH carries the message. At QoS 0 it is sent once and never answered; at QoS 1 and 2 the sender keeps it, under its packet id, until the acknowledgement comes.',
  puback:
    'PUBACK ends a QoS 1 flow: the receiver has taken ownership of the message, and the sender may discard it. Lost on the way, the sender resends the PUBLISH: at least once, perhaps twice.',
  pubrec:
    'PUBREC is step 2 of 4 at QoS 2, "publish received": the receiver has the message and has recorded its packet id, and promises not to deliver it again if the PUBLISH comes again. The sender stops resending the PUBLISH and sends PUBREL instead.',
  pubrel:
    'PUBREL is step 3 of 4 at QoS 2, "publish release": the sender has discarded the message and will never send that PUBLISH again, so the receiver may now forget the packet id. It exists because without it the receiver could not tell when a repeat is no longer possible.',
  pubcomp:
    'PUBCOMP is step 4 of 4 at QoS 2, "publish complete": the receiver has forgotten the packet id, which is free again. Exactly once is done; Courier settles publish() here.',
  connect: 'CONNECT opens a session. With clean: false the broker keeps it, and what was in flight, across a dropped connection.',
  connack: 'CONNACK accepts the connection; "session present" means the broker still had the session, so unfinished flows resume.',
  subscribe: 'SUBSCRIBE asks for messages on a filter at a maximum QoS: the subscriber receives at min(published QoS, subscription QoS).',
  suback: 'SUBACK grants the subscription, with the QoS the broker will deliver at most.',
  disconnect: 'DISCONNECT ends the connection on purpose.',
};

/** What DUP=1 means, for the legend and for the hover text of a resent PUBLISH. */
export const DUP_NOTE =
  'DUP=1 marks a resend: "this PUBLISH may have been sent before" [MQTT-3.3.1-1]. A receiver cannot rely on it to spot a duplicate; at QoS 2 the packet id does that.';

/** Why the same message carries different packet ids on the two sides of the broker. */
export const PACKET_ID_NOTE =
  'Packet ids are per link: each client–broker connection numbers its own messages in flight, so one message can be id 3 from the publisher and id 4 to the subscriber.';

/** The hover text of one row: what the packet is for, and what happened to it. */
export function packetNote(event: PacketFlowEvent, role: 'publisher' | 'subscriber'): string {
  const lines = [PACKET_NOTES[event.type] ?? event.type.toUpperCase()];
  if (event.packetId !== undefined) lines.push(`Packet id ${event.packetId} on the ${role}'s link. ${PACKET_ID_NOTE}`);
  if (event.dup === true) lines.push(DUP_NOTE);
  return lines.join('\n\n');
}
