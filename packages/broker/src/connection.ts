import { DecodeError, encode, type Packet, PacketDecoder, type ProtocolVersion } from '@courier/core';
import type { BrokerCore } from './broker-core';
import type { Fault, FaultSet } from './faults';
import type { Link } from './link';
import type { MaybePromise } from './maybe-async';
import { ProtocolHandler } from './protocol-handler';
import type { Tap } from './tap';
import type { Transport } from './transport';

/** What every connection shares: the broker's state, the tap and the faults in force. */
export interface ConnectionContext {
  readonly core: BrokerCore;
  readonly tap: Tap;
  readonly faults: FaultSet;
}

type InboxItem = Packet | DecodeError;

// Decoded packets waiting behind a paused pipeline before reading from the socket pauses too.
const INBOX_HIGH_WATER = 1024;

/**
 * One client connection: bytes from the transport become packets for the protocol handler, and
 * its packets become bytes, with the tap and fault injection in between, both ways. Packets in
 * one direction are handled strictly in order: while one is delayed (a 'delay' fault, or a hook
 * that answers with a promise) the ones after it wait.
 */
export class Connection implements Link {
  readonly handler: ProtocolHandler;
  closed = false;
  /** Settles when the transport has closed, whoever closed it. */
  readonly transportClosed: Promise<void>;
  // While set, what the handler sends is lost (a 'cut-after' inbound packet being processed).
  private muted = false;
  private readonly decoder: PacketDecoder;
  private clientId = '';
  private version: ProtocolVersion = 4;
  // The broker's own limit applies both ways; a 5.0 client may ask for a smaller one.
  private maximumOutgoingSize: number;
  private ended = false;
  // Inbound packets waiting behind a paused pipeline.
  private inbox: InboxItem[] = [];
  private inboxHead = 0;
  private inboundPaused = false;
  private readingPaused = false;
  // Reading stops while what we write to the client backs up (see `received`).
  private congestionPaused = false;
  // Outbound packets waiting behind a delayed one.
  private outbox: { packet: Packet; bytes: Uint8Array }[] = [];
  private outboxHead = 0;
  private outboundPaused = false;

  constructor(
    private readonly transport: Transport,
    private readonly context: ConnectionContext,
  ) {
    const { core } = context;
    this.decoder = new PacketDecoder({ maximumPacketSize: core.options.maximumPacketSize });
    this.maximumOutgoingSize = core.options.maximumPacketSize;
    this.handler = new ProtocolHandler(core, this);
    let transportClosed = () => {};
    this.transportClosed = new Promise((resolve) => (transportClosed = resolve));
    transport.start({
      data: (chunk) => this.received(chunk),
      drain: () => {
        if (this.congestionPaused) {
          this.congestionPaused = false;
          if (!this.readingPaused) this.transport.resume();
        }
        this.handler.drained();
      },
      closed: () => {
        transportClosed();
        this.end('connection closed by the client');
      },
    });
  }

  get peer(): string {
    return `${this.transport.kind} ${this.transport.remoteAddress}`;
  }

  get congested(): boolean {
    return this.transport.congested;
  }

  identify(clientId: string, version: ProtocolVersion, maximumPacketSize: number | undefined): void {
    this.clientId = clientId;
    this.version = version;
    if (maximumPacketSize !== undefined) this.maximumOutgoingSize = Math.min(maximumPacketSize, this.maximumOutgoingSize);
  }

  send(packet: Packet): boolean {
    if (this.closed || this.muted) return true;
    let bytes: Uint8Array;
    try {
      bytes = encode(packet, this.version);
    } catch (error) {
      this.context.core.log(`${this.clientId}: cannot send ${packet.type.toUpperCase()}: ${String(error)}`);
      return false;
    }
    if (bytes.length > this.maximumOutgoingSize) {
      // Discarded as the spec asks [MQTT-3.1.2-25], but never silently.
      this.context.core.log(
        `${this.clientId}: a ${bytes.length}-byte ${packet.type.toUpperCase()} exceeds the maximum packet size of ${this.maximumOutgoingSize} bytes; not sent`,
      );
      return false;
    }
    if (this.outboundPaused) this.outbox.push({ packet, bytes });
    else this.sendNow(packet, bytes);
    return true;
  }

  close(mode: 'flush' | 'abort'): void {
    this.cut(mode, 'closed by the broker');
  }

  /** The broker is closing: say so to the client (5.0), then close once that is written. */
  shutdown(): void {
    this.handler.shutdown();
  }

  /** Closes the transport at once, whatever is still being written. */
  abort(): void {
    this.transport.close('abort');
  }

  private received(chunk: Uint8Array): void {
    if (this.closed) return;
    // Every PINGREQ, PUBLISH or SUBSCRIBE is answered: a client that sends and never reads would
    // make us buffer the answers without end. It is read again once they drain.
    if (!this.congestionPaused && this.transport.congested) {
      this.congestionPaused = true;
      if (!this.readingPaused) this.transport.pause();
    }
    let packets: Packet[];
    let failure: DecodeError | undefined;
    try {
      packets = this.decoder.push(chunk);
    } catch (error) {
      failure = error instanceof DecodeError ? error : new DecodeError(0x81, String(error));
      packets = failure.precedingPackets;
    }
    if (this.inboundPaused) {
      this.park(packets, 0, failure);
      return;
    }
    for (let i = 0; i < packets.length; i++) {
      if (this.closed) return;
      if (!this.receive(packets[i]!)) {
        this.park(packets, i + 1, failure);
        return;
      }
    }
    if (failure !== undefined && !this.closed) this.handler.decodeFailed(failure);
  }

  /** Keeps packets for later, while the pipeline is paused. */
  private park(packets: Packet[], from: number, failure: DecodeError | undefined): void {
    for (let i = from; i < packets.length; i++) this.inbox.push(packets[i]!);
    if (failure !== undefined) this.inbox.push(failure);
    if (!this.readingPaused && this.inbox.length - this.inboxHead > INBOX_HIGH_WATER) {
      this.readingPaused = true; // a client flooding a slow hook must not grow memory without end
      if (!this.congestionPaused) this.transport.pause();
    }
  }

  /** One inbound packet through faults and the tap to the handler; false when the pipeline pauses. */
  private receive(packet: Packet): boolean {
    const clientId = packet.type === 'connect' && this.clientId === '' ? packet.clientId : this.clientId;
    const { faults, tap } = this.context;
    const fault = faults.active ? faults.take(clientId, 'in', packet) : undefined;
    if (fault !== undefined) return this.receiveWithFault(packet, clientId, fault);
    if (tap.active) tap.emit(clientId, 'in', packet);
    return this.dispatch(packet);
  }

  private receiveWithFault(packet: Packet, clientId: string, fault: Fault): boolean {
    const { tap } = this.context;
    switch (fault.action) {
      case 'drop':
        if (tap.active) tap.emit(clientId, 'in', packet, 'dropped');
        return true;
      case 'cut-before':
        if (tap.active) tap.emit(clientId, 'in', packet, 'dropped');
        this.cut('abort', `cut before ${packet.type.toUpperCase()} by fault injection`);
        return true;
      case 'cut-after':
        if (tap.active) tap.emit(clientId, 'in', packet);
        // Processed, but whatever it makes the broker send is lost with the connection.
        this.muted = true;
        void this.dispatch(packet);
        this.muted = false;
        this.cut('abort', `cut after ${packet.type.toUpperCase()} by fault injection`);
        return true;
      case 'delay':
        this.inboundPaused = true;
        this.context.core.scheduler.after(fault.delayMs ?? 0, () => {
          if (this.closed) return;
          if (tap.active) tap.emit(clientId, 'in', packet, 'delayed');
          if (this.dispatch(packet)) this.resumeInbound();
        });
        return false;
    }
  }

  /** Hands a packet to the handler; false when it answered with a promise (the pipeline waits). */
  private dispatch(packet: Packet): boolean {
    let pending: MaybePromise<void>;
    try {
      pending = this.handler.handle(packet);
    } catch (error) {
      // A bug in the broker must cost this connection, not the process.
      this.context.core.log(`${this.clientId || this.peer}: internal error on ${packet.type.toUpperCase()}: ${String(error)}`);
      this.handler.fail(0x83, 'internal error');
      return true;
    }
    if (pending === undefined) return true;
    this.inboundPaused = true;
    pending.then(
      () => this.resumeInbound(),
      (error: unknown) => {
        this.context.core.log(`${this.clientId || this.peer}: internal error on ${packet.type.toUpperCase()}: ${String(error)}`);
        this.handler.fail(0x83, 'internal error');
        this.resumeInbound();
      },
    );
    return false;
  }

  private resumeInbound(): void {
    this.inboundPaused = false;
    while (!this.inboundPaused && !this.closed && this.inboxHead < this.inbox.length) {
      const item = this.inbox[this.inboxHead++]!;
      if (item instanceof DecodeError) this.handler.decodeFailed(item);
      else if (!this.receive(item)) break;
    }
    if (this.inboxHead === this.inbox.length) {
      this.inbox = [];
      this.inboxHead = 0;
      if (this.readingPaused) {
        this.readingPaused = false;
        if (!this.congestionPaused) this.transport.resume();
      }
    }
  }

  /** One outbound packet through faults and the tap to the transport. */
  private sendNow(packet: Packet, bytes: Uint8Array): void {
    const { faults, tap } = this.context;
    const fault = faults.active ? faults.take(this.clientId, 'out', packet) : undefined;
    if (fault === undefined) {
      if (tap.active) tap.emit(this.clientId, 'out', packet);
      this.transport.write(bytes);
      return;
    }
    switch (fault.action) {
      case 'drop':
        if (tap.active) tap.emit(this.clientId, 'out', packet, 'dropped');
        return;
      case 'cut-before':
        if (tap.active) tap.emit(this.clientId, 'out', packet, 'dropped');
        this.cut('abort', `cut before ${packet.type.toUpperCase()} by fault injection`);
        return;
      case 'cut-after':
        if (tap.active) tap.emit(this.clientId, 'out', packet);
        this.transport.write(bytes);
        this.cut('flush', `cut after ${packet.type.toUpperCase()} by fault injection`);
        return;
      case 'delay':
        this.outboundPaused = true;
        this.context.core.scheduler.after(fault.delayMs ?? 0, () => {
          if (this.closed) return;
          if (tap.active) tap.emit(this.clientId, 'out', packet, 'delayed');
          this.transport.write(bytes);
          this.resumeOutbound();
        });
        return;
    }
  }

  private resumeOutbound(): void {
    this.outboundPaused = false;
    while (!this.outboundPaused && !this.closed && this.outboxHead < this.outbox.length) {
      const { packet, bytes } = this.outbox[this.outboxHead++]!;
      this.sendNow(packet, bytes);
    }
    if (this.outboxHead === this.outbox.length) {
      this.outbox = [];
      this.outboxHead = 0;
    }
  }

  /**
   * Stops processing and writing, closes the transport, and tells the handler once the current
   * call has returned (so that it never sees its connection vanish in the middle of a step).
   */
  private cut(mode: 'flush' | 'abort', reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.close(mode);
    queueMicrotask(() => this.end(reason));
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.closed = true;
    this.handler.connectionLost(reason);
  }
}
