import type { PublishPacket } from '@courier/core';

/**
 * The topic aliases the broker uses towards one connection of a 5.0 client that allows them
 * (Topic Alias Maximum above 0 in its CONNECT). A topic gets the next free alias the first time
 * it is sent, in a PUBLISH that carries both, and later PUBLISH carry the alias and an empty
 * topic (3.3.2.3.4). Aliases 1 to the client's maximum, never more [MQTT-3.3.2-11], never 0
 * [MQTT-3.3.2-8]; once all are taken, other topics go in full (no reassignment: a stable set of
 * topics, the common case, gains everything, and nothing is lost for the rest). A new connection
 * has a new instance [MQTT-3.3.2-7], so a resend after a reconnect carries its topic.
 */
export class OutgoingAliases {
  private readonly aliases = new Map<string, number>();

  constructor(private readonly maximum: number) {}

  /**
   * Sends `packet` through `write` with the topic's alias. A new alias counts only once `write`
   * says the packet went (one too large for the client is not sent, and must not leave the
   * client an alias it never learnt).
   */
  send(packet: PublishPacket, write: (packet: PublishPacket) => boolean): boolean {
    if (this.maximum === 0) return write(packet);
    const known = this.aliases.get(packet.topic);
    if (known !== undefined) return write({ ...packet, topic: '', properties: { ...packet.properties, topicAlias: known } });
    if (this.aliases.size >= this.maximum) return write(packet);
    const alias = this.aliases.size + 1;
    const sent = write({ ...packet, properties: { ...packet.properties, topicAlias: alias } });
    if (sent) this.aliases.set(packet.topic, alias);
    return sent;
  }
}
