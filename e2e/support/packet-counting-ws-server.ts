// A raw MQTT-over-WebSocket peer on loopback that counts the MQTT packets in each WebSocket
// message it receives. It answers just enough for a 3.1.1 client to connect and publish
// (CONNACK, PUBACK for QoS 1), so that tests can see how the client frames its packets.
import { once } from 'node:events';
import { type WebSocket, WebSocketServer } from 'ws';

export interface PacketCountingServer {
  url: string;
  /** Per WebSocket message received (all connections, in order): how many MQTT packets it held. */
  readonly packetsPerMessage: number[];
  /** Resolves once a connection has closed (after its last message was counted). */
  connectionClosed(): Promise<void>;
  close(): Promise<void>;
}

/** The MQTT packets in one message: each a fixed header byte, a variable-length size, a body. */
export function splitPackets(message: Uint8Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let pos = 0;
  while (pos < message.length) {
    let length = 0;
    let multiplier = 1;
    let at = pos + 1;
    for (;;) {
      const byte = message[at++];
      if (byte === undefined) throw new Error('a WebSocket message ends inside an MQTT fixed header');
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) break;
    }
    packets.push(message.subarray(pos, at + length));
    pos = at + length;
  }
  return packets;
}

function answer(socket: WebSocket, packet: Uint8Array): void {
  const type = packet[0]! >> 4;
  if (type === 1) socket.send(Uint8Array.of(0x20, 2, 0, 0));
  if (type === 3 && ((packet[0]! >> 1) & 3) === 1) {
    // PUBLISH QoS 1: the packet id follows the topic (a 2-byte length, then the name).
    const sizeBytes = packet.findIndex((byte, i) => i > 0 && (byte & 0x80) === 0);
    const topicAt = sizeBytes + 1;
    const idAt = topicAt + 2 + ((packet[topicAt]! << 8) | packet[topicAt + 1]!);
    socket.send(Uint8Array.of(0x40, 2, packet[idAt]!, packet[idAt + 1]!));
  }
  if (type === 12) socket.send(Uint8Array.of(0xd0, 0));
}

/** Starts the counting peer on 127.0.0.1 (a free port); subprotocol "mqtt". */
export async function startPacketCountingServer(): Promise<PacketCountingServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'mqtt' });
  await once(server, 'listening');
  const packetsPerMessage: number[] = [];
  let closed = 0;
  const closeWaiters: (() => void)[] = [];
  server.on('connection', (socket) => {
    socket.once('close', () => {
      closed++;
      for (const waiter of closeWaiters.splice(0)) waiter();
    });
    socket.on('message', (data: Buffer) => {
      const packets = splitPackets(new Uint8Array(data));
      packetsPerMessage.push(packets.length);
      for (const packet of packets) answer(socket, packet);
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/mqtt`,
    packetsPerMessage,
    connectionClosed: () => (closed > 0 ? Promise.resolve() : new Promise((resolve) => closeWaiters.push(resolve))),
    close: async () => {
      for (const socket of server.clients) socket.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
