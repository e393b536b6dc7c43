// A broker peer for client tests: it speaks MQTT over a MemoryTransport (decoding what the
// client writes, encoding what it answers) and behaves well unless a test scripts otherwise.
import { encode, type Packet, PacketDecoder, type ProtocolVersion, type PublishPacket } from '@courier/core';
import { type MemoryPeer, MemoryTransport } from '@courier/core/testing';

/** Decides the answer to one packet: packets to send, or undefined for the default answer. */
export type Script = (packet: Packet, broker: ScriptedBroker) => Packet[] | undefined;

export class ScriptedBroker {
  readonly transport = new MemoryTransport();
  /** Every packet the client sent, across connections, in order. */
  readonly received: Packet[] = [];
  sessionPresent = false;
  connackCode = 0;
  connackProperties: Record<string, unknown> | undefined;
  script: Script | undefined;
  version: ProtocolVersion = 5;
  private peer: MemoryPeer | undefined;
  private waiters: { predicate: (p: Packet) => boolean; resolve: (p: Packet) => void }[] = [];

  constructor() {
    this.transport.onConnection = (peer) => this.accept(peer);
  }

  get connections(): number {
    return this.transport.peers.length;
  }

  /** Closes the current connection cleanly, as a broker that hangs up would. */
  hangUp(): void {
    this.peer?.close();
  }

  /** Sends a packet to the client on the current connection. */
  send(packet: Packet): void {
    this.peer?.send(encode(packet, this.version));
  }

  /** Sends raw bytes (malformed ones, say). */
  sendBytes(bytes: Uint8Array): void {
    this.peer?.send(bytes);
  }

  /** Cuts the current connection, as a network failure would. */
  drop(): void {
    this.peer?.close(new Error('connection reset'));
  }

  /** Resolves with the first packet (already received or still to come) that matches. */
  waitFor(predicate: (p: Packet) => boolean): Promise<Packet> {
    const found = this.received.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** Packets of one type the client sent. */
  sent<T extends Packet['type']>(type: T): Extract<Packet, { type: T }>[] {
    return this.received.filter((p): p is Extract<Packet, { type: T }> => p.type === type);
  }

  publishes(): PublishPacket[] {
    return this.sent('publish');
  }

  private accept(peer: MemoryPeer): void {
    this.peer = peer;
    const decoder = new PacketDecoder();
    peer.onData = (chunk) => {
      for (const packet of decoder.push(chunk)) {
        if (packet.type === 'connect') this.version = packet.protocolVersion;
        this.received.push(packet);
        for (const waiter of [...this.waiters]) {
          if (waiter.predicate(packet)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(packet);
          }
        }
        if (this.peer !== peer) continue;
        for (const reply of this.script?.(packet, this) ?? this.defaultAnswer(packet)) peer.send(encode(reply, this.version));
      }
    };
  }

  /** What a well-behaved broker answers. */
  defaultAnswer(packet: Packet): Packet[] {
    switch (packet.type) {
      case 'connect': {
        const connack: Packet = { type: 'connack', sessionPresent: this.sessionPresent && this.connackCode === 0, reasonCode: this.connackCode };
        if (this.connackProperties !== undefined && this.version === 5) connack.properties = this.connackProperties;
        return [connack];
      }
      case 'publish':
        if (packet.qos === 1) return [{ type: 'puback', packetId: packet.packetId! }];
        if (packet.qos === 2) return [{ type: 'pubrec', packetId: packet.packetId! }];
        return [];
      case 'pubrel':
        return [{ type: 'pubcomp', packetId: packet.packetId }];
      case 'subscribe':
        return [{ type: 'suback', packetId: packet.packetId, reasonCodes: packet.subscriptions.map((s) => s.qos) }];
      case 'unsubscribe':
        return [
          this.version === 5
            ? { type: 'unsuback', packetId: packet.packetId, reasonCodes: packet.topicFilters.map(() => 0) }
            : { type: 'unsuback', packetId: packet.packetId },
        ];
      case 'pingreq':
        return [{ type: 'pingresp' }];
      default:
        return [];
    }
  }
}
