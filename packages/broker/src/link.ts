import type { Packet, ProtocolVersion } from '@courier/core';

/**
 * What a protocol handler needs of its connection: a way to send packets and to close, and
 * whether the connection can take more now. The connection behind it applies faults, feeds the
 * tap and encodes; the handler never sees bytes or sockets.
 */
export interface Link {
  /**
   * Sends a packet. False when it was not sent because it is larger than the client's Maximum
   * Packet Size [MQTT-3.1.2-24] (or cannot be encoded); true otherwise, including when a fault
   * drops it or the connection is already gone (the broker then believes it was sent, as after
   * a real loss).
   */
  send(packet: Packet): boolean;
  /** True when written bytes wait beyond the high-water mark: hold back queued messages. */
  readonly congested: boolean;
  /** True once the connection is closing: nothing more will be written or processed. */
  readonly closed: boolean;
  /** 'flush' writes what was sent, then closes; 'abort' closes at once, as a network failure. */
  close(mode: 'flush' | 'abort'): void;
  /** Who is on the other end, once CONNECT says so: for the tap, faults, encoding and size limits. */
  identify(clientId: string, version: ProtocolVersion, maximumPacketSize: number | undefined): void;
  /** "tcp 127.0.0.1:50123", for log lines. */
  readonly peer: string;
}
