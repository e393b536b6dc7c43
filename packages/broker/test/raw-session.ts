// A minimal MQTT client session on the raw client, scripted for fault tests: it answers every
// QoS flow step on its own, delivers each QoS 2 message once (by packet id), and on reconnect
// resends what it has in flight, as the spec asks of a client ([MQTT-4.4.0-1]). Unlike MQTT.js
// it sets DUP on resends, so the tests see exactly what a correct client does.
import type { Packet, ProtocolVersion, PublishPacket, QoS } from '@courier/core';
import { decodeText, RawClient, within } from './helpers';

export interface Delivered {
  topic: string;
  payload: string;
  qos: QoS;
  dup: boolean;
}

export class RawSession {
  readonly delivered: Delivered[] = [];
  private client: RawClient | undefined;
  private readonly outgoing = new Map<number, { packet: PublishPacket; released: boolean }>();
  private readonly incomingQos2 = new Set<number>();
  private nextPacketId = 1;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly port: number,
    private readonly version: ProtocolVersion,
    readonly clientId: string,
  ) {}

  /** Connects with a session kept for 5 minutes; resends what is in flight when the session is present. */
  async connect(): Promise<boolean> {
    const client = await RawClient.open(this.port, this.version);
    this.client = client;
    client.send({
      type: 'connect',
      protocolVersion: this.version,
      clientId: this.clientId,
      clean: false,
      keepAlive: 0,
      ...(this.version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
    });
    const connack = await client.next('connack');
    client.onPacket = (packet) => this.answer(client, packet);
    for (const packet of client.received.splice(0)) this.answer(client, packet);
    if (connack.sessionPresent) {
      for (const [packetId, entry] of this.outgoing) {
        client.send(entry.released ? { type: 'pubrel', packetId } : { ...entry.packet, dup: true });
      }
    }
    return connack.sessionPresent;
  }

  async subscribe(topicFilter: string, qos: QoS): Promise<void> {
    this.client!.send({ type: 'subscribe', packetId: 0xffff, subscriptions: [{ topicFilter, qos }] });
    await this.until(() => this.subacked, 'SUBACK');
  }

  publish(topic: string, payload: string, qos: QoS): void {
    const packet: PublishPacket = { type: 'publish', topic, payload: new TextEncoder().encode(payload), qos, dup: false, retain: false };
    if (qos > 0) {
      packet.packetId = this.nextPacketId++;
      this.outgoing.set(packet.packetId, { packet, released: false });
    }
    this.client!.send(packet);
  }

  /** Resolves when every publish of this session has been acknowledged to the end. */
  settled(): Promise<void> {
    return this.until(() => this.outgoing.size === 0, `${this.clientId}'s publishes to complete`);
  }

  /** Resolves once `count` messages have been delivered. */
  received(count: number): Promise<void> {
    return this.until(() => this.delivered.length >= count, `${count} message(s) delivered to ${this.clientId}`);
  }

  async closed(): Promise<void> {
    await this.client?.waitClosed();
  }

  destroy(): void {
    this.client?.destroy();
  }

  private subacked = false;

  private answer(client: RawClient, packet: Packet): void {
    switch (packet.type) {
      case 'publish': {
        const deliver = (): void => {
          this.delivered.push({ topic: packet.topic, payload: decodeText(packet.payload), qos: packet.qos, dup: packet.dup });
        };
        if (packet.qos === 0) deliver();
        if (packet.qos === 1) {
          deliver();
          client.send({ type: 'puback', packetId: packet.packetId! });
        }
        if (packet.qos === 2) {
          if (!this.incomingQos2.has(packet.packetId!)) deliver();
          this.incomingQos2.add(packet.packetId!);
          client.send({ type: 'pubrec', packetId: packet.packetId! });
        }
        break;
      }
      case 'pubrel':
        this.incomingQos2.delete(packet.packetId);
        client.send({ type: 'pubcomp', packetId: packet.packetId });
        break;
      case 'puback':
      case 'pubcomp':
        this.outgoing.delete(packet.packetId);
        break;
      case 'pubrec': {
        const entry = this.outgoing.get(packet.packetId);
        if (entry !== undefined) entry.released = true;
        client.send({ type: 'pubrel', packetId: packet.packetId });
        break;
      }
      case 'suback':
        this.subacked = true;
        break;
      default:
        break;
    }
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private until(check: () => boolean, what: string): Promise<void> {
    return within(
      new Promise<void>((resolve) => {
        const test = (): void => {
          if (check()) resolve();
          else this.waiters.push(test);
        };
        test();
      }),
      what,
    );
  }
}
