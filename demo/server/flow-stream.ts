// The broker's packet tap, narrowed to what the page draws and streamed to it as server-sent
// events: each page asks for the packets of its own clients only.
import type { ServerResponse } from 'node:http';
import type { Broker, TapEvent } from '@courier/broker';
import type { FlowEvent, FlowPacketType, PacketFlowEvent } from '../shared/flow-event';

const DRAWN = new Set<string>(['connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'disconnect']);
const decoder = new TextDecoder();

/** The tap event as the page draws it, or undefined for a packet it does not draw. */
export function toFlowEvent({ clientId, direction, packet, fault }: TapEvent): PacketFlowEvent | undefined {
  if (!DRAWN.has(packet.type)) return undefined;
  const event: PacketFlowEvent = { kind: 'packet', clientId, direction, type: packet.type as FlowPacketType };
  if (fault !== undefined) event.fault = fault;
  if ('packetId' in packet && packet.packetId !== undefined) event.packetId = packet.packetId;
  if (packet.type === 'publish') {
    event.qos = packet.qos;
    event.dup = packet.dup;
    event.payload = decoder.decode(packet.payload.subarray(0, 200));
  }
  if (packet.type === 'connack') event.sessionPresent = packet.sessionPresent;
  return event;
}

/** Server-sent event streams, one per open page, each for a set of client ids. */
export class FlowStream {
  private readonly streams = new Map<ServerResponse, Set<string>>();
  private readonly stopTap: () => void;

  constructor(broker: Broker) {
    this.stopTap = broker.tap((tapped) => {
      const event = toFlowEvent(tapped);
      if (event !== undefined) this.send(event);
    });
  }

  /** Opens a stream on `response` for the packets of `clientIds`. */
  open(response: ServerResponse, clientIds: string[]): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // A comment line flushes the headers, so that the page's EventSource opens at once.
    response.write(': courier demo\n\n');
    this.streams.set(response, new Set(clientIds));
    response.on('close', () => this.streams.delete(response));
  }

  /** Sends an event to the pages watching its client. */
  send(event: FlowEvent): void {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const [response, clientIds] of this.streams) if (clientIds.has(event.clientId)) response.write(line);
  }

  close(): void {
    this.stopTap();
    for (const response of this.streams.keys()) response.end();
    this.streams.clear();
  }
}
