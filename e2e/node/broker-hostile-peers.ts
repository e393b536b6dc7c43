// Hostile peers for the reference broker: raw TCP and WebSocket connections that send noise,
// valid frames with damage, half a packet and then nothing, a flood they never read the answers
// to, or subscribe to everything and never read nor acknowledge. Each peer draws from its own
// seeded sequence, so a seed replays the same behaviours with the same bytes.
import { connect as tcpConnect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { encode, type Packet, type ProtocolVersion, type QoS } from '@courier/core';
import { deriveSeed, prng } from '@courier/node/testing';

export type Behaviour = 'noise' | 'mutated' | 'stall' | 'flood' | 'sink';
const BEHAVIOURS: Behaviour[] = ['noise', 'mutated', 'mutated', 'stall', 'flood', 'sink'];

/** What the peers did, for the report. */
export interface HostileFigures {
  connections: Record<Behaviour, number>;
  bytesSent: number;
  closedByBroker: number;
}

interface Random {
  next(): number;
  int(n: number): number;
}

/** One connection, TCP or WebSocket, seen the same way. */
interface Wire {
  write(bytes: Uint8Array): void;
  /** Stops reading: the broker's writes back up in the socket buffers. */
  pause(): void;
  destroy(): void;
  readonly closed: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function openTcp(port: number): Wire {
  const socket: Socket = tcpConnect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    write: (bytes) => void (socket.writable && socket.write(bytes)),
    pause: () => socket.pause(),
    destroy: () => socket.destroy(),
    closed,
  };
}

function openWs(port: number, random: Random): Wire {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
  ws.on('error', () => {});
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  const queued: Uint8Array[] = [];
  ws.on('open', () => {
    for (const bytes of queued.splice(0)) ws.send(bytes, { binary: true });
  });
  return {
    write: (bytes) => {
      // Now and then a text message, which MQTT over WebSocket forbids [MQTT-6.0.0-1].
      const binary = random.next() > 0.01;
      if (ws.readyState === ws.CONNECTING) queued.push(bytes);
      else if (ws.readyState === ws.OPEN) ws.send(bytes, { binary });
    },
    pause: () => (ws.readyState === ws.OPEN ? ws.pause() : ws.once('open', () => ws.pause())),
    destroy: () => ws.terminate(),
    closed,
  };
}

function randomBytes(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => random.int(256));
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Damage that a decoder must notice or survive: bits, truncation, header bytes, insertions. */
function damage(frame: Uint8Array, random: Random): Uint8Array {
  const bytes = frame.slice();
  const at = random.int(bytes.length);
  switch (random.int(4)) {
    case 0:
      bytes[at]! ^= 1 << random.int(8);
      return bytes;
    case 1:
      return bytes.slice(0, at);
    case 2:
      bytes[random.int(Math.min(5, bytes.length))] = random.int(256);
      return bytes;
    default:
      return concat([bytes.slice(0, at), randomBytes(random, 1 + random.int(8)), bytes.slice(at)]);
  }
}

/** Hostile topics never start with "good": the well-behaved clients' topics stay theirs. */
function topic(random: Random): string {
  if (random.next() >= 0.1) return `h/${random.int(40)}`;
  // Any character but the wildcards and U+0000, which a topic name cannot hold [MQTT-4.7.3-1].
  return `h/${String.fromCharCode(...Array.from({ length: 1 + random.int(6) }, () => 0x2c + random.int(0xd000)))}`;
}

function randomPacket(random: Random, version: ProtocolVersion): Packet {
  const packetId = 1 + random.int(0xffff);
  const qos = random.int(3) as QoS;
  switch (random.int(8)) {
    case 0:
    case 1:
    case 2:
      return {
        type: 'publish',
        topic: topic(random),
        payload: randomBytes(random, random.int(200)),
        qos,
        dup: false,
        retain: random.next() < 0.05,
        ...(qos > 0 ? { packetId } : {}),
      };
    case 3:
      return { type: 'subscribe', packetId, subscriptions: [{ topicFilter: random.next() < 0.5 ? '#' : `h/${random.int(40)}/+`, qos }] };
    case 4:
      return { type: 'unsubscribe', packetId, topicFilters: ['#'] };
    case 5:
      return { type: (['puback', 'pubrec', 'pubrel', 'pubcomp'] as const)[random.int(4)]!, packetId };
    case 6:
      return { type: 'pingreq' };
    default:
      return version === 5 && random.next() < 0.5 ? { type: 'auth', reasonCode: 0x18 } : { type: 'disconnect' };
  }
}

function connectPacket(random: Random, version: ProtocolVersion, clientId: string, clean: boolean): Packet {
  return { type: 'connect', protocolVersion: version, clientId, clean, keepAlive: random.int(4) === 0 ? 1 : 30 };
}

/**
 * `count` peers, the first `wsCount` over WebSocket, each looping over random behaviours until
 * `stop()`; `stop()` resolves once every peer's last connection is closed.
 */
export function startHostilePeers(options: { seed: number; count: number; wsCount: number; port: number; wsPort: number }) {
  const figures: HostileFigures = {
    connections: { noise: 0, mutated: 0, stall: 0, flood: 0, sink: 0 },
    bytesSent: 0,
    closedByBroker: 0,
  };
  let stopping = false;
  const open = new Set<Wire>();

  const runPeer = async (index: number): Promise<void> => {
    for (let connection = 0; !stopping; connection++) {
      // A sequence per connection: what one does never depends on how long another lasted.
      const next = prng(deriveSeed(options.seed, index, connection));
      const random: Random = { next, int: (n) => Math.floor(next() * n) };
      const behaviour = BEHAVIOURS[random.int(BEHAVIOURS.length)]!;
      const raw = index < options.wsCount ? openWs(options.wsPort, random) : openTcp(options.port);
      let byUs = false;
      const wire: Wire = {
        ...raw,
        write: (bytes) => {
          figures.bytesSent += bytes.length;
          raw.write(bytes);
        },
        destroy: () => {
          byUs = true;
          raw.destroy();
        },
      };
      open.add(wire);
      figures.connections[behaviour]++;
      await Promise.race([behave(behaviour, wire, random, index), wire.closed]);
      if (!byUs) figures.closedByBroker++;
      wire.destroy();
      await wire.closed;
      open.delete(wire);
    }
  };

  const behave = async (behaviour: Behaviour, wire: Wire, random: Random, index: number): Promise<void> => {
    const version: ProtocolVersion = random.next() < 0.5 ? 4 : 5;
    // Client ids from a small pool, so that peers take over each other's sessions.
    const clientId = `h-${random.int(150)}`;
    const lifetimeMs = 200 + random.int(2_000);
    const until = Date.now() + lifetimeMs;
    switch (behaviour) {
      case 'noise':
        while (Date.now() < until && !stopping) {
          wire.write(randomBytes(random, 1 + random.int(512)));
          await sleep(random.int(50));
        }
        return;
      case 'mutated': {
        const frames = [connectPacket(random, version, clientId, random.next() < 0.5)];
        for (let i = random.int(30); i > 0; i--) frames.push(randomPacket(random, version));
        const bytes = frames.map((packet) => encode(packet, version));
        for (let i = 1 + random.int(2); i > 0; i--) {
          const at = random.int(bytes.length);
          bytes[at] = damage(bytes[at]!, random);
        }
        const stream = concat(bytes);
        for (let pos = 0; pos < stream.length && !stopping; ) {
          const size = 1 + random.int(random.next() < 0.3 ? 4 : stream.length);
          wire.write(stream.subarray(pos, pos + size));
          pos += size;
          if (random.next() < 0.3) await sleep(random.int(20));
        }
        await sleep(random.int(lifetimeMs));
        return;
      }
      case 'stall': {
        // Half a CONNECT, or a valid one and then a header announcing 256 MiB, then a trickle.
        const connect = encode(connectPacket(random, version, clientId, true), version);
        if (random.next() < 0.5) wire.write(connect.subarray(0, 1 + random.int(connect.length - 1)));
        else wire.write(concat([connect, Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f)]));
        while (Date.now() < until && !stopping) {
          await sleep(100);
          wire.write(randomBytes(random, 1));
        }
        return;
      }
      case 'flood': {
        wire.pause();
        wire.write(encode(connectPacket(random, version, clientId, true), version));
        let packetId = 1;
        while (Date.now() < until && !stopping) {
          const batch: Uint8Array[] = [];
          for (let i = 0; i < 50; i++) {
            const qos = random.int(3) as QoS;
            const packet: Packet = { type: 'publish', topic: topic(random), payload: randomBytes(random, random.int(100)), qos, dup: false, retain: false };
            if (qos > 0) packet.packetId = packetId = (packetId % 0xffff) + 1;
            batch.push(encode(packet, version));
          }
          wire.write(concat(batch));
          await sleep(10);
        }
        return;
      }
      case 'sink':
        // Takes everything at QoS 2 and never reads: the broker's per-client bounds must hold.
        wire.write(encode(connectPacket(random, version, `sink-${index % 20}`, random.next() < 0.5), version));
        wire.write(encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: '#', qos: 2 }] }, version));
        wire.pause();
        await sleep(lifetimeMs);
        return;
    }
  };

  const running = Array.from({ length: options.count }, (_, index) => runPeer(index));
  return {
    figures,
    async stop(): Promise<void> {
      stopping = true;
      for (const wire of open) wire.destroy();
      await Promise.all(running);
    },
  };
}
