// Shared test fixtures: real brokers on ephemeral ports, MQTT.js clients (the honest check: a
// client we did not write), and a raw socket client built on our codec for byte-exact flows.
// Everything made here is closed in afterEach.
import { connect as connectTcp, type Socket } from 'node:net';
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterEach } from 'vitest';
import { createBroker, type Broker, type BrokerOptions, type TapEvent } from '@courier/broker';
import { type ConnectPacket, DecodeError, encode, type Packet, PacketDecoder, type ProtocolVersion } from '@courier/core';

/** How long a test waits for something that should happen before it fails with a clear message. */
export const EVENT_TIMEOUT_MS = 3000;

/** A message as an MQTT.js client received it. */
export interface Received {
  topic: string;
  payload: string;
  packet: IPublishPacket;
}

/** Fails after `ms` with `what` unless `promise` settles first. */
export function within<T>(promise: Promise<T>, what: string, ms = EVENT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `check()` holds, re-checking whenever `client` emits `event`. */
export function until(client: MqttClient, event: 'message' | 'packetreceive', check: () => boolean, what: string): Promise<void> {
  if (check()) return Promise.resolve();
  return within(
    new Promise<void>((resolve) => {
      const listener = (): void => {
        if (!check()) return;
        client.off(event, listener);
        resolve();
      };
      client.on(event, listener);
    }),
    what,
  );
}

/** Every message an MQTT.js client receives, and a way to wait for the next ones. */
export class Inbox {
  readonly messages: Received[] = [];

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload: payload.toString(), packet }));
  }

  /** Resolves with the messages once there are at least `count`. */
  async count(count: number): Promise<Received[]> {
    await until(this.client, 'message', () => this.messages.length >= count, `${count} message(s)`);
    return this.messages;
  }

  /** The next message (the first one not returned by an earlier call to `next`). */
  async next(): Promise<Received> {
    const index = this.taken++;
    await this.count(index + 1);
    return this.messages[index]!;
  }

  private taken = 0;
}

/** Opens `open` through the broker's tap and resolves with the first event that matches. */
export function tapFor(broker: Broker, match: (event: TapEvent) => boolean, what: string): Promise<TapEvent> {
  return within(
    new Promise<TapEvent>((resolve) => {
      const stop = broker.tap((event) => {
        if (!match(event)) return;
        stop();
        resolve(event);
      });
    }),
    what,
  );
}

/** Records every tap event of a broker from now on. */
export function recordTap(broker: Broker): TapEvent[] {
  const events: TapEvent[] = [];
  broker.tap((event) => events.push(event));
  return events;
}

/**
 * A client that speaks packets, not an API: it sends exactly what a test gives it and records
 * exactly what arrives, so a test can check a flag or provoke a violation no library would.
 */
export class RawClient {
  readonly received: Packet[] = [];
  /** Called with every packet as it arrives (it is kept in `received` as well). */
  onPacket: ((packet: Packet) => void) | undefined;
  readonly closed: Promise<void>;
  private readonly decoder: PacketDecoder;
  private readonly waiters: (() => void)[] = [];
  isClosed = false;

  private constructor(
    readonly socket: Socket,
    public version: ProtocolVersion,
  ) {
    this.decoder = new PacketDecoder({ version });
    socket.on('data', (chunk) => {
      let packets: Packet[];
      try {
        packets = this.decoder.push(chunk);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        packets = error.precedingPackets;
        socket.destroy(error);
      }
      this.received.push(...packets);
      for (const packet of packets) this.onPacket?.(packet);
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static async open(port: number, version: ProtocolVersion = 4): Promise<RawClient> {
    const socket = connectTcp(port, '127.0.0.1');
    await within(new Promise((resolve) => socket.once('connect', resolve)), 'a TCP connection');
    return new RawClient(socket, version);
  }

  /** Opens a connection and completes CONNECT / CONNACK. */
  static async connected(
    port: number,
    version: ProtocolVersion,
    clientId: string,
    extra: Partial<ConnectPacket> = {},
  ): Promise<RawClient> {
    const client = await RawClient.open(port, version);
    client.send({ type: 'connect', protocolVersion: version, clientId, clean: true, keepAlive: 0, ...extra });
    const connack = await client.next('connack');
    if (connack.type !== 'connack' || connack.reasonCode !== 0) throw new Error(`CONNECT refused: ${JSON.stringify(connack)}`);
    return client;
  }

  send(packet: Packet): void {
    this.socket.write(encode(packet, this.version));
  }

  sendBytes(bytes: Uint8Array | number[]): void {
    this.socket.write(Uint8Array.from(bytes));
  }

  /** The next received packet (of `type`, skipping others), removed from `received`. */
  async next<T extends Packet['type']>(type?: T): Promise<Extract<Packet, { type: T }>> {
    const find = (): number => this.received.findIndex((packet) => type === undefined || packet.type === type);
    await within(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (find() >= 0) resolve();
          else if (this.isClosed) reject(new Error(`the connection closed before ${type ?? 'a packet'} arrived`));
          else this.waiters.push(check);
        };
        check();
      }),
      type ?? 'a packet',
    );
    return this.received.splice(find(), 1)[0] as Extract<Packet, { type: T }>;
  }

  /** Resolves when the broker closes the connection. */
  async waitClosed(): Promise<void> {
    await within(this.closed, 'the broker to close the connection');
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** Options of `Fixture.client`: MQTT.js options, plus the version and transport in short. */
export interface ClientOptions extends IClientOptions {
  version?: ProtocolVersion;
  transport?: 'tcp' | 'ws';
}

/**
 * Creates brokers and clients for one test file and closes all of them after each test: clients
 * first (forcibly), then raw sockets, then brokers.
 */
export class Fixture {
  private brokers: Broker[] = [];
  private clients: MqttClient[] = [];
  private raws: { destroy(): void }[] = [];

  constructor() {
    afterEach(async () => {
      const clients = this.clients.splice(0);
      const raws = this.raws.splice(0);
      const brokers = this.brokers.splice(0);
      await Promise.all(clients.map((client) => client.endAsync(true)));
      for (const raw of raws) raw.destroy();
      await Promise.all(brokers.map((broker) => broker.close()));
    });
  }

  /** A broker on a free port; its log lines are recorded (see `logOf`) and also passed to `options.log`. */
  async broker(options: BrokerOptions = {}): Promise<Broker> {
    const log = new LogRecorder(options.log);
    const broker = await createBroker({ port: 0, ...options, log: (line) => log.add(line) });
    logs.set(broker, log);
    this.brokers.push(broker);
    return broker;
  }

  /**
   * An MQTT.js client, connected, that does not reconnect on its own. Its messages are recorded
   * from before CONNECT (see `inboxOf`), so none sent right after CONNACK is missed.
   */
  async client(broker: Broker, options: ClientOptions = {}): Promise<MqttClient> {
    const { version = 4, transport = 'tcp', ...rest } = options;
    const url =
      transport === 'tcp' ? `mqtt://127.0.0.1:${broker.port}` : `ws://127.0.0.1:${broker.wsPort ?? 'no-ws-port'}`;
    const client = mqtt.connect(url, { protocolVersion: version, reconnectPeriod: 0, connectTimeout: EVENT_TIMEOUT_MS, ...rest });
    this.clients.push(client);
    inboxes.set(client, new Inbox(client));
    await within(
      new Promise<void>((resolve, reject) => {
        client.once('connect', (connack) => {
          connacks.set(client, connack);
          resolve();
        });
        client.once('error', reject);
        client.once('close', () => reject(new Error('the connection closed before CONNACK')));
      }),
      'an MQTT.js client to connect',
    );
    return client;
  }

  /** An MQTT.js client that is expected not to connect: resolves with the error it gets. */
  async refusedClient(broker: Broker, options: ClientOptions = {}): Promise<Error & { code?: number }> {
    const { version = 4, ...rest } = options;
    const client = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`, {
      protocolVersion: version,
      reconnectPeriod: 0,
      connectTimeout: EVENT_TIMEOUT_MS,
      ...rest,
    });
    this.clients.push(client);
    return within(
      new Promise((resolve, reject) => {
        client.once('connect', () => reject(new Error('the client was accepted')));
        client.once('error', (error) => resolve(error as Error & { code?: number }));
      }),
      'the connection to be refused',
    );
  }

  /** Destroys `connection` after the test, with the raw clients. */
  track<T extends { destroy(): void }>(connection: T): T {
    this.raws.push(connection);
    return connection;
  }

  async raw(broker: Broker, version: ProtocolVersion = 4): Promise<RawClient> {
    const raw = await RawClient.open(broker.port, version);
    this.raws.push(raw);
    return raw;
  }

  async rawConnected(
    broker: Broker,
    version: ProtocolVersion,
    clientId: string,
    extra: Partial<ConnectPacket> = {},
  ): Promise<RawClient> {
    const raw = await RawClient.connected(broker.port, version, clientId, extra);
    this.raws.push(raw);
    return raw;
  }
}

/** The log lines of a broker, and a way to wait for one. */
export class LogRecorder {
  readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly forward?: (line: string) => void) {}

  add(line: string): void {
    this.lines.push(line);
    this.forward?.(line);
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** The `occurrence`th line (logged before or after this call) that matches `pattern`. */
  waitFor(pattern: RegExp, occurrence = 1): Promise<string> {
    return within(
      new Promise<string>((resolve) => {
        const check = (): void => {
          const found = this.lines.filter((each) => pattern.test(each));
          if (found.length >= occurrence) resolve(found[occurrence - 1]!);
          else this.waiters.push(check);
        };
        check();
      }),
      `log line #${occurrence} matching ${String(pattern)}`,
    );
  }
}

const logs = new WeakMap<Broker, LogRecorder>();

/** The log of a fixture broker. */
export function logOf(broker: Broker): LogRecorder {
  return logs.get(broker)!;
}

const inboxes = new WeakMap<MqttClient, Inbox>();
const connacks = new WeakMap<MqttClient, IConnackPacket>();

/** The messages a fixture client has received since it connected. */
export function inboxOf(client: MqttClient): Inbox {
  return inboxes.get(client)!;
}

/** The CONNACK a fixture client got. */
export function connackOf(client: MqttClient): IConnackPacket {
  return connacks.get(client)!;
}

/** Waits for an MQTT.js client's connection to close. */
export function closedOf(client: MqttClient): Promise<void> {
  return within(new Promise((resolve) => client.once('close', () => resolve())), 'the client connection to close');
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const decodeText = (value: Uint8Array): string => new TextDecoder().decode(value);
