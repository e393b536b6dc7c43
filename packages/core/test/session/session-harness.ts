// Drives a Session with scripted inputs and a fake clock, and keeps what it asked for: the
// packets it sent, the outbox as its persist/forget actions left it, settlements, deliveries.
import type { Packet, ProtocolVersion, PublishPacket } from '@courier/core';
import { loadPropertyCodec } from '../../src/codec/property-field';
import type { OutboxChange, OutgoingRecord } from '../../src/ports/outbox-store';
import { AuthFlow } from '../../src/session/auth-flow';
import { Session } from '../../src/session/session';
import type {
  PublishRequest,
  ReceivedMessage,
  SessionAction,
  SessionEvent,
  SessionInput,
  SessionOptions,
} from '../../src/session/session-types';

// The harness plays the driver, and a driver loads the 5.0 codec (properties, the words of reason
// codes) before its first connection at 5.0, as MqttClient does.
await loadPropertyCodec(5);

export const defaultOptions: SessionOptions = {
  clientId: 'test-client',
  clean: false,
  keepAlive: 60,
  protocolVersion: 5,
  fallbackToV4: true,
  maxInflight: 100,
  ackTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  pingTimeoutMs: 5_000,
  maxQueuedQoS0: 100,
  maxQueuedMessages: 100_000,
};

export interface Settlement {
  operation: string;
  id: number;
  result?: unknown;
  error?: { code: string; reasonCode?: number; message: string } & Record<string, unknown>;
}

export class SessionHarness {
  readonly session: Session;
  now = 0;
  /** When true, every awaited outbox write completes at once (as with the memory outbox). */
  autoStore = true;
  /**
   * When true, the application has every delivered message at once (as a client with a message
   * handler does): each `deliver` is followed by its `ackRequested`.
   */
  autoAck = true;
  /** Delivery ids of the messages delivered and not yet acknowledged (when autoAck is off). */
  readonly unacked: number[] = [];
  /** Awaited writes not yet reported as stored (when autoStore is off). */
  unstored: { ids: number[]; incoming: number[] } = { ids: [], incoming: [] };
  readonly outbox = new Map<number, OutgoingRecord>();
  readonly incomingIds = new Set<number>();
  /** Every action, in order. */
  readonly log: SessionAction[] = [];
  private cursor = 0;

  constructor(options: Partial<SessionOptions> = {}) {
    // As the client does: no fallback to 3.1.1 (which has no AUTH) with a method.
    const fallbackToV4 = options.authenticationMethod === undefined && (options.fallbackToV4 ?? defaultOptions.fallbackToV4);
    this.session = new Session({ ...defaultOptions, ...options, fallbackToV4 });
    // As the client does: the flow of enhanced authentication only with a method.
    if (options.authenticationMethod !== undefined) this.session.useAuthFlow(AuthFlow);
  }

  get version(): ProtocolVersion {
    return this.session.protocolVersion;
  }

  handle(input: SessionInput): SessionAction[] {
    const actions = this.session.handle(input, this.now);
    const awaitedIds: number[] = [];
    const awaitedIncoming: number[] = [];
    const delivered: number[] = [];
    for (const action of actions) {
      this.log.push(action);
      if (action.type === 'deliver' && action.deliveryId !== 0) delivered.push(action.deliveryId);
      if (action.type === 'persist' || action.type === 'forget') this.apply(action.change);
      if (action.type === 'persist' && action.awaited) {
        if (action.change.op === 'putIncoming') awaitedIncoming.push(action.change.packetId);
        else if (action.change.op === 'put') awaitedIds.push(action.change.record.id);
        else if (action.change.op === 'update') awaitedIds.push(action.change.id);
      }
    }
    const all = [...actions];
    if (awaitedIds.length + awaitedIncoming.length > 0) {
      if (this.autoStore) all.push(...this.handle({ type: 'stored', ids: awaitedIds, incoming: awaitedIncoming }));
      else {
        this.unstored.ids.push(...awaitedIds);
        this.unstored.incoming.push(...awaitedIncoming);
      }
    }
    if (!this.autoAck) this.unacked.push(...delivered);
    else for (const deliveryId of delivered) for (const action of this.handle({ type: 'ackRequested', deliveryId })) all.push(action);
    return all;
  }

  /** The application acknowledges delivered messages (all it has not yet, by default), in the order given. */
  ack(deliveryIds: number[] = this.unacked.splice(0)): SessionAction[] {
    return deliveryIds.flatMap((deliveryId) => this.handle({ type: 'ackRequested', deliveryId }));
  }

  /** Reports every awaited write so far as durable. */
  store(): SessionAction[] {
    const { ids, incoming } = this.unstored;
    this.unstored = { ids: [], incoming: [] };
    return this.handle({ type: 'stored', ids, incoming });
  }

  /** Opens a connection and answers CONNECT with a successful CONNACK. */
  connect(connack: { sessionPresent?: boolean; properties?: Record<string, unknown> } = {}): SessionAction[] {
    this.handle({ type: 'connectionOpened' });
    const packet = { type: 'connack' as const, sessionPresent: connack.sessionPresent ?? false, reasonCode: 0 };
    return this.receive(connack.properties === undefined ? packet : { ...packet, properties: connack.properties });
  }

  disconnect(): SessionAction[] {
    return this.handle({ type: 'connectionLost' });
  }

  receive(packet: Packet): SessionAction[] {
    return this.handle({ type: 'packetReceived', packet });
  }

  publish(id: number, qos: 0 | 1 | 2, topic = 'sensors/1', extra: Partial<PublishRequest> = {}): SessionAction[] {
    return this.handle({
      type: 'publishRequested',
      id,
      message: { topic, payload: Uint8Array.of(id & 0xff), qos, retain: false, ...extra },
    });
  }

  /** Moves the fake clock on and fires the timer if the session's deadline has come. */
  advance(ms: number): SessionAction[] {
    this.now += ms;
    const deadline = this.session.nextDeadline();
    if (deadline !== undefined && deadline <= this.now) return this.handle({ type: 'timerExpired' });
    return [];
  }

  /** Actions since the last call to take(). */
  take(): SessionAction[] {
    const fresh = this.log.slice(this.cursor);
    this.cursor = this.log.length;
    return fresh;
  }

  /** Packets sent since the last take(), and moves the cursor. */
  sent(): Packet[] {
    return sentPackets(this.take());
  }

  /** Settle actions, with those a send carries (QoS 0) as if their bytes were written at once. */
  settlements(actions = this.log): Settlement[] {
    return actions.flatMap((a) =>
      a.type === 'settle' ? [a as unknown as Settlement] : a.type === 'send' && a.settleWhenWritten !== undefined ? [a.settleWhenWritten as unknown as Settlement] : [],
    );
  }

  delivered(actions = this.log): ReceivedMessage[] {
    return actions.flatMap((a) => (a.type === 'deliver' ? [a.message] : []));
  }

  events(actions = this.log): SessionEvent[] {
    return actions.flatMap((a) => (a.type === 'notify' ? [a.event] : []));
  }

  /** The warnings that the broker went past our Receive Maximum (0x93). */
  overflows(actions = this.log): SessionEvent[] {
    return this.events(actions).filter((e) => e.name === 'warning' && (e.error as { reasonCode?: number }).reasonCode === 0x93);
  }

  closes(actions = this.log): (Error | undefined)[] {
    return actions.flatMap((a) => (a.type === 'closeConnection' ? [a.error] : []));
  }

  private apply(change: OutboxChange): void {
    switch (change.op) {
      case 'put':
        this.outbox.set(change.record.id, { ...change.record });
        break;
      case 'update': {
        const record = this.outbox.get(change.id);
        if (record === undefined) throw new Error(`update of a record never put: ${change.id}`);
        record.state = change.state;
        if (change.packetId === undefined) delete record.packetId;
        else record.packetId = change.packetId;
        break;
      }
      case 'delete':
        this.outbox.delete(change.id);
        break;
      case 'putIncoming':
        this.incomingIds.add(change.packetId);
        break;
      case 'deleteIncoming':
        this.incomingIds.delete(change.packetId);
        break;
      case 'clearIncoming':
        this.incomingIds.clear();
        break;
    }
  }
}

export function sentPackets(actions: SessionAction[]): Packet[] {
  return actions.flatMap((a) => (a.type === 'send' ? [a.packet] : []));
}

export function publishes(packets: Packet[]): PublishPacket[] {
  return packets.filter((p): p is PublishPacket => p.type === 'publish');
}

/** A compact trace of packets, for readable assertions: "PUBLISH 1 dup", "PUBREL 3". */
export function trace(packets: Packet[]): string[] {
  return packets.map((p) => {
    const name = p.type.toUpperCase();
    if (p.type === 'publish') return `${name} q${p.qos}${p.packetId === undefined ? '' : ` ${p.packetId}`}${p.dup ? ' dup' : ''}`;
    if ('packetId' in p) return `${name} ${p.packetId}${'reasonCode' in p && p.reasonCode ? ` rc${p.reasonCode.toString(16)}` : ''}`;
    if ('reasonCode' in p && p.reasonCode !== undefined && p.reasonCode !== 0) return `${name} rc${p.reasonCode.toString(16)}`;
    return name;
  });
}
