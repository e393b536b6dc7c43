import type { Packet, QoS } from '../codec/packet';

/**
 * One packet on the wire, as the client's `packet` event gives it: what MQTT.js prints under
 * `DEBUG=mqttjs*` and a HiveMQ interceptor sees, as data rather than text, so that a test or a
 * structured log can filter on it. An event rather than a `logger` option: nothing is described
 * until a handler listens, and the text (`formatPacket`) stays out of every app that does not
 * import it. A CONNECT's username, password and will, and every property (authentication data
 * among them) are never copied; the payload only with `debug: { payloads: true }`.
 */
export interface PacketEvent {
  /** 'out': written to the connection; 'in': decoded from it. */
  direction: 'in' | 'out';
  type: Packet['type'];
  /** Bytes on the wire, fixed header included. */
  size: number;
  packetId?: number;
  qos?: QoS;
  dup?: boolean;
  retain?: boolean;
  /** PUBLISH: the topic as on the wire, '' when a topic alias stands for it. */
  topic?: string;
  topicAlias?: number;
  payloadSize?: number;
  /** Only with `debug: { payloads: true }`. */
  payload?: Uint8Array;
  /** CONNACK, the acks, DISCONNECT, AUTH (5.0; 3.1.1's CONNACK return code). */
  reasonCode?: number;
  /** SUBACK, UNSUBACK. */
  reasonCodes?: number[];
  sessionPresent?: boolean;
  /** CONNECT. */
  clientId?: string;
  clean?: boolean;
  keepAlive?: number;
  /** SUBSCRIBE, UNSUBSCRIBE. */
  topicFilters?: string[];
}

/** Any packet, read by field name. */
interface Loose {
  type: Packet['type'];
  username?: unknown;
  password?: unknown;
  will?: unknown;
  properties?: { topicAlias?: number };
  payload?: Uint8Array;
  subscriptions?: { topicFilter: string }[];
  protocolVersion?: unknown;
}

/** The `packet` event of `packet`; called only while a `packet` handler listens. */
export function describePacket(direction: 'in' | 'out', packet: Packet, size: number, payloads: boolean): PacketEvent {
  // What may hold a secret, a payload or bulk is left out by name: the credentials, the will,
  // every property (AUTH's and CONNECT's authentication data); the rest are plain fields.
  const { username, password, will, properties, payload, subscriptions, protocolVersion, ...fields } = packet as Loose;
  const event: PacketEvent = { direction, size, ...fields };
  if (payload !== undefined) {
    event.payloadSize = payload.length;
    if (properties?.topicAlias !== undefined) event.topicAlias = properties.topicAlias;
    if (payloads) event.payload = payload;
  }
  if (subscriptions !== undefined) event.topicFilters = subscriptions.map((s) => s.topicFilter);
  return event;
}

function hex(codes: number | number[]): string {
  return [codes].flat().map((code) => `0x${code.toString(16).padStart(2, '0')}`).join(',');
}

/**
 * A packet event as one line of text, for a log:
 * `out PUBLISH id=3 qos=2 dup topic="a/b" alias=1 payload=12B size=30B`.
 * @example client.on('packet', (packet) => console.debug(formatPacket(packet)));
 */
export function formatPacket(event: PacketEvent): string {
  const { direction, type, size, packetId, topic, topicAlias, payloadSize, payload, topicFilters, ...rest } = event;
  const parts: string[] = [direction, type.toUpperCase()];
  if (packetId !== undefined) parts.push(`id=${packetId}`);
  for (const [name, value] of Object.entries(rest)) {
    if (value === true) parts.push(name);
    else if (value !== false) parts.push(`${name}=${name.startsWith('reasonCode') ? hex(value as number | number[]) : value}`);
  }
  if (topic !== undefined) parts.push(`topic=${JSON.stringify(topic)}`);
  if (topicAlias !== undefined) parts.push(`alias=${topicAlias}`);
  if (topicFilters !== undefined) parts.push(`filters=${JSON.stringify(topicFilters)}`);
  if (payloadSize !== undefined) parts.push(`payload=${payloadSize}B`);
  if (payload !== undefined) parts.push(JSON.stringify(new TextDecoder().decode(payload)));
  parts.push(`size=${size}B`);
  return parts.join(' ');
}
