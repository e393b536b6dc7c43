// The packet flow drawn as a sequence diagram in SVG, one row per packet, in the order the
// broker saw them: publisher | broker | subscriber, the way the seed's QoS diagrams draw it.
import type { FlowEvent, PacketFlowEvent } from '../shared/flow-event';

const SVG = 'http://www.w3.org/2000/svg';
const X = { publisher: 110, broker: 380, subscriber: 650 } as const;
const WIDTH = 760;
const TOP = 44;
const ROW_HEIGHT = 26;
// Older rows are dropped beyond this, so that a long session keeps the page light.
const MAX_ROWS = 400;

/** Which of the page's two clients a packet belongs to. */
export type Role = 'publisher' | 'subscriber';

function element<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The arrow's label: the packet as the seed names it, with its id, QoS, DUP flag and payload. */
export function packetLabel(event: PacketFlowEvent): string {
  const parts = [event.type.toUpperCase()];
  if (event.type === 'publish') parts.push(`QoS ${event.qos ?? 0}`);
  if (event.packetId !== undefined) parts.push(`id ${event.packetId}`);
  if (event.dup === true) parts.push('DUP=1');
  if (event.payload !== undefined) parts.push(`"${event.payload}"`);
  if (event.sessionPresent !== undefined) parts.push(event.sessionPresent ? '(session present)' : '(new session)');
  if (event.fault === 'dropped') parts.push(event.direction === 'out' ? '✗ never sent' : '✗ lost');
  return parts.join(' ');
}

/** Draws rows into `svg`; the roles map the page's client ids to their lifelines. */
export class SequenceDiagram {
  private readonly rows: SVGGElement[] = [];
  private readonly lifelines: SVGLineElement[] = [];

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly roles: Record<string, Role>,
  ) {
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${TOP}`);
    for (const [name, x] of Object.entries(X)) {
      svg.append(element('text', { x, y: 18, class: 'actor' }, name[0]!.toUpperCase() + name.slice(1)));
      const line = element('line', { x1: x, x2: x, y1: 26, y2: TOP, class: 'lifeline' });
      this.lifelines.push(line);
      svg.append(line);
    }
  }

  /** Adds the event as the next row (events of other clients are ignored). */
  add(event: FlowEvent): void {
    const role = this.roles[event.clientId];
    if (role === undefined) return;
    const row = event.kind === 'cut' ? this.cutRow(role, event.reason) : this.packetRow(role, event);
    this.rows.push(row);
    this.svg.append(row);
    if (this.rows.length > MAX_ROWS) this.rows.shift()!.remove();
    this.layout();
  }

  clear(): void {
    for (const row of this.rows.splice(0)) row.remove();
    this.layout();
  }

  private packetRow(role: Role, event: PacketFlowEvent): SVGGElement {
    const [from, to] = event.direction === 'in' ? [X[role], X.broker] : [X.broker, X[role]];
    const classes = ['row', 'packet', event.type];
    if (event.dup === true) classes.push('dup');
    if (event.fault === 'dropped') classes.push('dropped');
    const row = element('g', { class: classes.join(' '), 'data-role': role, 'data-type': event.type, 'data-direction': event.direction, 'data-dup': String(event.dup === true) });
    // A dropped packet's arrow stops halfway: it never reached the other side.
    const end = event.fault === 'dropped' ? (from + to) / 2 : to;
    row.append(element('line', { x1: from, x2: end, y1: 16, y2: 16, 'marker-end': 'url(#arrow)' }));
    row.append(element('text', { x: (from + to) / 2, y: 11, class: 'label' }, packetLabel(event)));
    return row;
  }

  private cutRow(role: Role, reason: string): SVGGElement {
    const row = element('g', { class: 'row cut', 'data-role': role, 'data-type': 'cut' });
    row.append(element('line', { x1: Math.min(X[role], X.broker), x2: Math.max(X[role], X.broker), y1: 14, y2: 14 }));
    row.append(element('text', { x: (X[role] + X.broker) / 2, y: 10, class: 'label' }, `✂ connection cut: ${reason}`));
    return row;
  }

  private layout(): void {
    for (const [index, row] of this.rows.entries()) row.setAttribute('transform', `translate(0 ${TOP + index * ROW_HEIGHT})`);
    const height = TOP + this.rows.length * ROW_HEIGHT + 10;
    for (const line of this.lifelines) line.setAttribute('y2', String(height));
    this.svg.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
    this.svg.setAttribute('height', String(height));
  }
}
