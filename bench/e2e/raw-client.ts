// The "raw socket client": MQTT 3.1.1 over node:net with nothing in between, as the ceiling of
// what a broker allows. The publisher writes pre-encoded PUBLISH frames (all of a batch in one
// write) and counts acks itself; the subscriber acknowledges what it receives with the fewest
// writes it can (one per chunk read). Frames are built with Courier's encode() and parsed with
// its PacketDecoder; no state machine, no store, no promise per message.
import { connect as netConnect, type Socket } from 'node:net';
import { encode, type Packet, PacketDecoder } from '@courier/core';
import { payloadOf, type QoS, TOPIC } from './shared';

export interface RawConnection {
  socket: Socket;
  decoder: PacketDecoder;
  /** Called with the packets of each chunk, once connected. */
  onPackets: (packets: Packet[]) => void;
  /** Called when the connection closes. */
  onClose: (error: Error | undefined) => void;
}

/** Connects, sends CONNECT (clean session, keep-alive off) and resolves on CONNACK. */
export function rawConnect(port: number, clientId: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const decoder = new PacketDecoder({ version: 4 });
    let failure: Error | undefined;
    const connection: RawConnection = { socket, decoder, onPackets: () => {}, onClose: () => {} };
    let connected = false;
    socket.on('error', (error) => {
      failure = error;
      if (!connected) reject(error);
    });
    socket.on('close', () => connection.onClose(failure));
    socket.on('data', (chunk: Buffer) => {
      const packets = decoder.push(chunk);
      if (connected) return connection.onPackets(packets);
      const connack = packets[0];
      if (connack?.type !== 'connack' || connack.reasonCode !== 0) {
        socket.destroy();
        return reject(new Error(`raw client: no CONNACK (${connack?.type})`));
      }
      connected = true;
      resolve(connection);
      if (packets.length > 1) connection.onPackets(packets.slice(1));
    });
    socket.once('connect', () => {
      socket.write(encode({ type: 'connect', protocolVersion: 4, clientId, clean: true, keepAlive: 0 }, 4));
    });
  });
}

/** `count` PUBLISH frames of one length, back to back in one buffer: frame i at i × frameLength. */
export class FrameBlock {
  readonly bytes: Buffer;
  readonly frameLength: number;

  constructor(count: number, qos: QoS, firstPacketId: number, warmup: boolean) {
    let block: Buffer | undefined;
    let frameLength = 0;
    for (let i = 0; i < count; i++) {
      const packet: Packet = { type: 'publish', topic: TOPIC, payload: payloadOf(i, warmup), qos, dup: false, retain: false };
      if (qos !== 0) packet.packetId = ((firstPacketId + i - 1) % 0xffff) + 1;
      const frame = encode(packet, 4);
      if (block === undefined) {
        frameLength = frame.length;
        block = Buffer.allocUnsafe(frameLength * count);
      }
      block.set(frame, i * frameLength);
    }
    this.bytes = block ?? Buffer.alloc(0);
    this.frameLength = frameLength;
  }

  /** Frames from..to (exclusive) as one view. */
  frames(from: number, to: number): Buffer {
    return this.bytes.subarray(from * this.frameLength, to * this.frameLength);
  }
}

/**
 * Publishes the frames of `block` with at most `window` unacknowledged (QoS 1: until PUBACK,
 * QoS 2: until PUBCOMP, answering PUBREC with PUBREL). At QoS 0 there is nothing to wait for:
 * every frame goes out in one write, except one at a time (window 1): one write per frame.
 * Resolves when the last is acknowledged (or written, at QoS 0).
 */
export function rawPublish(connection: RawConnection, block: FrameBlock, count: number, qos: QoS, window: number): Promise<void> {
  const { socket } = connection;
  if (qos === 0 && window === 1) {
    // One at a time: each frame handed to the operating system (its write called back) before
    // the next, the least a client that settles QoS 0 once written can do per message.
    return new Promise((resolve, reject) => {
      let sent = 0;
      const next = (error?: Error | null): void => {
        if (error) return reject(error);
        if (sent === count) return resolve();
        socket.write(block.frames(sent, ++sent), next);
      };
      next();
    });
  }
  if (qos === 0) {
    return new Promise((resolve, reject) => {
      socket.write(block.frames(0, count), (error) => (error ? reject(error) : resolve()));
    });
  }
  return new Promise((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    const fill = (): void => {
      const to = Math.min(count, acked + window);
      if (to > sent) {
        socket.write(block.frames(sent, to));
        sent = to;
      }
    };
    connection.onClose = (error) => reject(new Error(`the broker closed the connection after ${acked} of ${count} acks${error ? `: ${error.message}` : ''}`));
    connection.onPackets = (packets) => {
      let releases: Buffer | undefined;
      let r = 0;
      for (const packet of packets) {
        if (packet.type === 'puback' || packet.type === 'pubcomp') {
          acked++;
        } else if (packet.type === 'pubrec') {
          releases ??= Buffer.allocUnsafe(packets.length * 4);
          releases[r++] = 0x62;
          releases[r++] = 2;
          releases[r++] = packet.packetId >> 8;
          releases[r++] = packet.packetId & 0xff;
        }
      }
      socket.cork();
      if (releases !== undefined) socket.write(releases.subarray(0, r));
      if (acked === count) {
        socket.uncork();
        connection.onClose = () => {};
        return resolve();
      }
      fill();
      socket.uncork();
    };
    fill();
  });
}

/** Subscribes to TOPIC at `qos` and resolves on SUBACK; then acknowledges every PUBLISH. */
export function rawSubscribe(
  connection: RawConnection,
  qos: QoS,
  onMessage: (payload: Uint8Array) => void,
): Promise<void> {
  const { socket } = connection;
  return new Promise((resolve, reject) => {
    let subscribed = false;
    connection.onPackets = (packets) => {
      let acks: Buffer | undefined;
      let a = 0;
      for (const packet of packets) {
        if (packet.type === 'publish') {
          if (packet.qos !== 0) {
            acks ??= Buffer.allocUnsafe(packets.length * 4);
            acks[a++] = packet.qos === 1 ? 0x40 : 0x50; // PUBACK or PUBREC
            acks[a++] = 2;
            acks[a++] = packet.packetId! >> 8;
            acks[a++] = packet.packetId! & 0xff;
          }
          onMessage(packet.payload);
        } else if (packet.type === 'pubrel') {
          acks ??= Buffer.allocUnsafe(packets.length * 4);
          acks[a++] = 0x70; // PUBCOMP
          acks[a++] = 2;
          acks[a++] = packet.packetId >> 8;
          acks[a++] = packet.packetId & 0xff;
        } else if (packet.type === 'suback' && !subscribed) {
          subscribed = true;
          if (packet.reasonCodes[0]! >= 0x80) reject(new Error('raw client: subscription refused'));
          else resolve();
        }
      }
      if (acks !== undefined) socket.write(acks.subarray(0, a));
    };
    socket.write(encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: TOPIC, qos }] }, 4));
  });
}
