// A broker that misbehaves on purpose: a raw TCP server on 127.0.0.1 that hands each accepted
// connection to the test, which answers with whatever bytes it likes (garbage, half frames,
// floods, silence). It decodes what the client sends, so a test can wait for a packet.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { DecodeError, encode, type Packet, PacketDecoder, type ProtocolVersion } from '@courier/core';

/** How long a test waits for the client to do something before it fails with a clear message. */
const WAIT_MS = 10_000;

/** The packet id `readAll` releases: tests leave it unused. */
export const MARKER_ID = 0xffff;

/** One client connection to the hostile broker. */
export class HostilePeer {
  /** Every packet the client sent on this connection, in order (unless `record` is false). */
  readonly received: Packet[] = [];
  /** False keeps only `counts`: a flood's answers must not fill the test's own memory. */
  record = true;
  /** How many packets of each type the client sent on this connection. */
  readonly counts = new Map<Packet['type'], number>();
  /** The version of the client's CONNECT, once it came (what `send` encodes with). */
  version: ProtocolVersion = 5;
  readonly closed: Promise<void>;
  isClosed = false;
  private readonly decoder = new PacketDecoder();
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly socket: Socket,
    /** 0 for the first connection, 1 for the next, ... */
    readonly index: number,
    /** False: the bytes are not MQTT (a TLS or WebSocket handshake) and are left unread. */
    decode = true,
  ) {
    socket.on('data', (chunk) => {
      if (!decode) return;
      try {
        for (const packet of this.decoder.push(chunk)) {
          if (packet.type === 'connect') this.version = packet.protocolVersion;
          this.counts.set(packet.type, (this.counts.get(packet.type) ?? 0) + 1);
          if (this.record) this.received.push(packet);
        }
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        socket.destroy(); // the client sent bytes that are not MQTT: the tests fail on what follows
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = once(socket, 'close').then(() => {
      this.isClosed = true;
      this.wake();
    });
  }

  /** Resolves with the first packet of `type` the client sent on this connection (past or future). */
  next<T extends Packet['type']>(type: T): Promise<Extract<Packet, { type: T }>> {
    return this.until(() => this.received.find((p) => p.type === type) as Extract<Packet, { type: T }> | undefined, type.toUpperCase());
  }

  /** Resolves once the client has sent `count` packets of `type` on this connection. */
  async count(type: Packet['type'], count: number, timeoutMs = WAIT_MS): Promise<void> {
    await this.until(() => ((this.counts.get(type) ?? 0) >= count ? true : undefined), `${count} ${type.toUpperCase()}`, true, timeoutMs);
  }

  /**
   * Resolves once the client has read everything sent so far: PUBREL for an id it does not hold
   * always gets PUBCOMP (0x92 in 5.0), and the client answers in the order packets arrived.
   */
  async readAll(timeoutMs = WAIT_MS): Promise<void> {
    const answered = (this.counts.get('pubcomp') ?? 0) + 1;
    this.send({ type: 'pubrel', packetId: MARKER_ID });
    await this.count('pubcomp', answered, timeoutMs);
  }

  /** Resolves when the client (or the test) closes the connection. */
  async waitClosed(): Promise<void> {
    await this.until(() => (this.isClosed ? true : undefined), 'the connection to close', false);
  }

  send(packet: Packet, version: ProtocolVersion = this.version): boolean {
    return this.sendBytes(encode(packet, version));
  }

  sendBytes(bytes: Uint8Array | readonly number[]): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(Uint8Array.from(bytes));
  }

  /** Waits until the socket can take more: a flood paces itself by the client's reading. */
  async drained(): Promise<void> {
    if (this.socket.writableNeedDrain && !this.socket.destroyed) await Promise.race([once(this.socket, 'drain'), this.closed]);
  }

  /** Sends `count` frames made by `frame(i)`, batched, at the pace the client reads them. */
  async flood(count: number, frame: (i: number) => Uint8Array): Promise<void> {
    const batch: Uint8Array[] = [];
    for (let i = 0; i < count && !this.isClosed; i++) {
      batch.push(frame(i));
      if (batch.length === 256 || i === count - 1) {
        if (!this.socket.write(Buffer.concat(batch.splice(0)))) await this.drained();
      }
    }
  }

  /** Closes as a network failure would. */
  destroy(): void {
    this.socket.destroy();
  }

  private until<T>(found: () => T | undefined, what: string, failOnClose = true, timeoutMs = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        const value = found();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else if (failOnClose && this.isClosed) {
          clearTimeout(timer);
          reject(new Error(`the connection closed before ${what}`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** What the hostile broker does with each connection; may be async (its rejection fails `errors`). */
export type Behaviour = (peer: HostilePeer) => void | Promise<void>;

export class HostileBroker {
  readonly peers: HostilePeer[] = [];
  /** Errors thrown by a behaviour: a test checks it is empty, so a broken script cannot pass. */
  readonly errors: unknown[] = [];
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `decode: false` for a peer that does not speak MQTT at all (it never reads the bytes). */
  static async start(behaviour: Behaviour, { decode = true } = {}): Promise<HostileBroker> {
    let broker: HostileBroker | undefined;
    const server = createServer((socket) => broker?.accept(socket, behaviour, decode));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    broker = new HostileBroker(server, (server.address() as { port: number }).port);
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Resolves with connection number `index` (0-based) once the client has opened it. */
  connection(index: number, timeoutMs = WAIT_MS): Promise<HostilePeer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for connection #${index + 1}`)), timeoutMs);
      const check = (): void => {
        const peer = this.peers[index];
        if (peer === undefined) {
          this.waiters.push(check);
          return;
        }
        clearTimeout(timer);
        resolve(peer);
      };
      check();
    });
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket, behaviour: Behaviour, decode: boolean): void {
    const peer = new HostilePeer(socket, this.peers.length, decode);
    this.peers.push(peer);
    for (const waiter of this.waiters.splice(0)) waiter();
    try {
      void Promise.resolve(behaviour(peer)).catch((error: unknown) => this.errors.push(error));
    } catch (error) {
      this.errors.push(error);
    }
  }
}

/** The CONNACK that accepts a connection, in the client's version. */
export function accept(peer: HostilePeer, properties?: Record<string, unknown>): void {
  const connack: Packet = { type: 'connack', sessionPresent: false, reasonCode: 0 };
  if (properties !== undefined && peer.version === 5) connack.properties = properties;
  peer.send(connack);
}

/** Behaviour: read CONNECT, accept it, then run `then` (if any). */
export function acceptThen(then?: (peer: HostilePeer) => void | Promise<void>): Behaviour {
  return async (peer) => {
    await peer.next('connect');
    accept(peer);
    await then?.(peer);
  };
}

/**
 * `bytes` with `count` seeded mutations, each one of: a byte set to a random value, a byte
 * removed, a random byte inserted, or the rest cut off. Valid frames mutated this way get past
 * the first byte far more often than random bytes do, and reach the session's rules.
 */
export function mutate(bytes: Uint8Array, random: () => number, count: number): Uint8Array {
  const out = Array.from(bytes);
  for (let i = 0; i < count && out.length > 0; i++) {
    const at = Math.floor(random() * out.length);
    const kind = Math.floor(random() * 4);
    if (kind === 0) out[at] = Math.floor(random() * 256);
    else if (kind === 1) out.splice(at, 1);
    else if (kind === 2) out.splice(at, 0, Math.floor(random() * 256));
    else out.length = at;
  }
  return Uint8Array.from(out);
}
