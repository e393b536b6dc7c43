// What the demo server streams to the page (server-sent events): the packets the broker sees for
// the page's clients, and the connection cuts the demo causes. Shared by the server and the page.

/** The packet types the page draws (PINGREQ/PINGRESP are left out: they say nothing about delivery). */
export type FlowPacketType =
  | 'connect'
  | 'connack'
  | 'publish'
  | 'puback'
  | 'pubrec'
  | 'pubrel'
  | 'pubcomp'
  | 'subscribe'
  | 'suback'
  | 'unsubscribe'
  | 'unsuback'
  | 'disconnect';

/** One packet between a client and the broker, as the broker's tap saw it. */
export interface PacketFlowEvent {
  kind: 'packet';
  clientId: string;
  /** 'in': client to broker; 'out': broker to client. */
  direction: 'in' | 'out';
  type: FlowPacketType;
  packetId?: number;
  qos?: number;
  dup?: boolean;
  /** CONNACK: the broker still had the session. */
  sessionPresent?: boolean;
  /** The PUBLISH payload as text (the demo's payloads are short JSON). */
  payload?: string;
  /** A fault changed its fate: 'dropped' (never processed or never written). */
  fault?: 'dropped' | 'delayed';
}

/** The demo server cut a client's connection, as a network failure would. */
export interface CutFlowEvent {
  kind: 'cut';
  clientId: string;
  /** What the broker was about to send or had just received when it cut. */
  reason: string;
}

export type FlowEvent = PacketFlowEvent | CutFlowEvent;
