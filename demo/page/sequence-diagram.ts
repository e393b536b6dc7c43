// The packet flow drawn as a sequence diagram in SVG, one row per packet, in the order the
// broker saw them: publisher | broker | subscriber, the way the seed's QoS diagrams draw it.
// Each row says what its packet is for (hover text), which message it belongs to (a tag at the
// left), and a packet lost to a fault says whether it is still owed. The rows are kept in the
// tab's sessionStorage, so that a reload continues the story below a "reloaded here" marker.
import type { FlowEvent, PacketFlowEvent } from '../shared/flow-event';
import { packetNote } from './packet-notes';

const SVG = 'http://www.w3.org/2000/svg';
/**
 * Drawn at its own size, never scaled down (a scaled label is unreadable): a narrow screen gets
 * lifelines closer together, each label on two short lines either way.
 */
const GEOMETRIES = {
  wide: { width: 640, x: { publisher: 100, broker: 340, subscriber: 580 } },
  narrow: { width: 340, x: { publisher: 42, broker: 172, subscriber: 298 } },
} as const;
const NARROW_BELOW_PX = 600;
const TOP = 44;
const ROW_HEIGHT = 36;
const NOTE_HEIGHT = 14;
// Older rows are dropped beyond this, so that a long session keeps the page light.
const MAX_ROWS = 400;
// The view follows new rows while the reader is this close to its bottom; scrolled up, it stays.
const FOLLOW_SLACK_PX = 48;

/** Which of the page's two clients a packet belongs to. */
export type Role = 'publisher' | 'subscriber';

/** What the diagram draws: the server's events, and the page's own markers (a reload, a gap). */
export type DiagramEntry = FlowEvent | { kind: 'marker'; text: string };

function element<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The arrow's label on two lines: the packet as the seed names it (with the QoS of a PUBLISH),
 * then its packet id, DUP flag and payload. Read as one text, the lines join with a space.
 */
export function packetLabel(event: PacketFlowEvent): [string, string] {
  const first = event.type === 'publish' ? `PUBLISH QoS ${event.qos ?? 0}` : event.type.toUpperCase();
  const second: string[] = [];
  if (event.packetId !== undefined) second.push(`id ${event.packetId}`);
  if (event.dup === true) second.push('DUP=1');
  if (event.payload !== undefined) second.push(`"${event.payload}"`);
  if (event.sessionPresent !== undefined) second.push(event.sessionPresent ? '(session present)' : '(new session)');
  return [first, second.join(' ')];
}

/**
 * What a fault did to the packet, under its arrow. "Owed" and "lost" differ: a QoS 1/2 PUBLISH
 * the broker never got stays in the publisher's outbox and goes again; a QoS 0 one is gone.
 */
export function faultNote(event: PacketFlowEvent): string | undefined {
  if (event.fault !== 'dropped') return undefined;
  if (event.direction === 'out') return '✗ never sent: the flow resumes on reconnect';
  if (event.type !== 'publish') return '✗ never arrived: resumes on reconnect';
  return (event.qos ?? 0) === 0 ? '✗ lost: QoS 0 is never resent' : '✗ never arrived: still owed, goes again';
}

type Geometry = (typeof GEOMETRIES)[keyof typeof GEOMETRIES];

/** Draws rows into `svg`; the roles map the page's client ids to their lifelines. */
export class SequenceDiagram {
  private rows: SVGGElement[] = [];
  private lifelines: SVGLineElement[] = [];
  private entries: DiagramEntry[] = [];
  /** Per lifeline, the message each packet id is carrying now (ids are per link). */
  private readonly messageOf = new Map<string, string>();
  private geometry: Geometry = GEOMETRIES.wide;
  /** The message followed alone (the others faded), after a click on one of its rows. */
  private focus: string | undefined;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly roles: Record<string, Role>,
    private readonly storageKey: string,
  ) {
    const saved = sessionStorage.getItem(storageKey);
    this.entries = saved === null ? [] : (JSON.parse(saved) as DiagramEntry[]);
    this.redraw();
    if (this.entries.length > 0) this.add({ kind: 'marker', text: '⟳ page reloaded here (rows above: before it)' });
    addEventListener('resize', () => {
      if (this.fittingGeometry() !== this.geometry) this.redraw();
    });
    svg.addEventListener('click', (event) => {
      const message = (event.target as Element).closest('g.row')?.getAttribute('data-message') ?? undefined;
      this.focus = message === this.focus ? undefined : message;
      for (const row of this.rows) this.fade(row);
    });
  }

  /** Fades a row that is not part of the message followed. */
  private fade(row: SVGGElement): void {
    row.classList.toggle('faded', this.focus !== undefined && row.getAttribute('data-message') !== this.focus);
  }

  /** Adds the entry as the next row (events of other clients are ignored), and keeps it for a reload. */
  add(entry: DiagramEntry): void {
    if (entry.kind !== 'marker' && this.roles[entry.clientId] === undefined) return;
    const view = this.svg.parentElement;
    const following = view === null || view.scrollHeight - view.scrollTop - view.clientHeight < FOLLOW_SLACK_PX;
    this.draw(entry);
    this.entries.push(entry);
    if (this.entries.length > MAX_ROWS) this.entries.shift();
    sessionStorage.setItem(this.storageKey, JSON.stringify(this.entries));
    this.layout(following);
  }

  clear(): void {
    this.entries = [];
    sessionStorage.removeItem(this.storageKey);
    this.redraw();
  }

  private fittingGeometry(): Geometry {
    const available = this.svg.parentElement?.clientWidth ?? GEOMETRIES.wide.width;
    return available < NARROW_BELOW_PX ? GEOMETRIES.narrow : GEOMETRIES.wide;
  }

  /** Draws everything again, in the geometry that fits the view now. */
  private redraw(): void {
    this.geometry = this.fittingGeometry();
    for (const node of [...this.rows, ...this.lifelines]) node.remove();
    for (const actor of this.svg.querySelectorAll('.actor')) actor.remove();
    this.rows = [];
    this.lifelines = [];
    this.messageOf.clear();
    this.svg.setAttribute('width', String(this.geometry.width));
    for (const [name, x] of Object.entries(this.geometry.x)) {
      this.svg.append(element('text', { x, y: 18, class: 'actor' }, name[0]!.toUpperCase() + name.slice(1)));
      const line = element('line', { x1: x, x2: x, y1: 26, y2: TOP, class: 'lifeline' });
      this.lifelines.push(line);
      this.svg.append(line);
    }
    for (const entry of this.entries) this.draw(entry);
    this.layout(true);
  }

  private draw(entry: DiagramEntry): void {
    let row: SVGGElement;
    if (entry.kind === 'marker') row = this.markerRow(entry.text);
    else if (entry.kind === 'cut') row = this.cutRow(this.roles[entry.clientId]!, entry.reason);
    else row = this.packetRow(this.roles[entry.clientId]!, entry);
    this.fade(row);
    this.rows.push(row);
    this.svg.append(row);
    if (this.rows.length > MAX_ROWS) this.rows.shift()!.remove();
  }

  /** The message ("#3") a packet belongs to: a PUBLISH names it; an ack finds it by its link's packet id. */
  private messageFor(role: Role, event: PacketFlowEvent): string | undefined {
    if (event.packetId === undefined) return event.type === 'publish' ? event.payload : undefined;
    const key = `${role}:${event.packetId}`;
    if (event.type === 'publish' && event.payload !== undefined) this.messageOf.set(key, event.payload);
    return this.messageOf.get(key);
  }

  private packetRow(role: Role, event: PacketFlowEvent): SVGGElement {
    const { width, x } = this.geometry;
    const [from, to] = event.direction === 'in' ? [x[role], x.broker] : [x.broker, x[role]];
    const classes = ['row', 'packet', event.type];
    if (event.dup === true) classes.push('dup');
    if (event.fault === 'dropped') classes.push('dropped');
    const message = this.messageFor(role, event);
    const row = element('g', {
      class: classes.join(' '),
      'data-role': role,
      'data-type': event.type,
      'data-direction': event.direction,
      'data-dup': String(event.dup === true),
      ...(message === undefined ? {} : { 'data-message': message }),
    });
    row.append(element('title', {}, packetNote(event, role)));
    // A band behind each message's rows, alternating, so that one message's flow can be followed.
    if (message !== undefined) {
      const parity = Number(message.replace(/\D/g, '')) % 2 === 0 ? 'even' : 'odd';
      row.append(element('rect', { x: 0, y: 0, width, height: ROW_HEIGHT, class: `band ${parity}` }));
      row.append(element('text', { x: 2, y: 31, class: 'tag' }, message));
    }
    const middle = (from + to) / 2;
    const [first, second] = packetLabel(event);
    const label = element('text', { x: middle, y: 11, class: 'label' });
    label.append(element('tspan', { x: middle }, first));
    // The leading space keeps the two lines apart when the label is read as one text.
    if (second !== '') label.append(element('tspan', { x: middle, dy: 13 }, ` ${second}`));
    row.append(label);
    // A dropped packet's arrow stops halfway: it never reached the other side.
    row.append(element('line', { x1: from, x2: event.fault === 'dropped' ? middle : to, y1: 29, y2: 29, 'marker-end': 'url(#arrow)' }));
    const note = faultNote(event);
    if (note !== undefined) row.append(element('text', { x: width / 2, y: 29 + NOTE_HEIGHT, class: 'fault-note' }, note));
    return row;
  }

  private cutRow(role: Role, reason: string): SVGGElement {
    const { width, x } = this.geometry;
    const row = element('g', { class: 'row cut', 'data-role': role, 'data-type': 'cut' });
    row.append(element('title', {}, 'The broker cut the connection, as a network failure would: no DISCONNECT. The client reconnects and resumes its session.'));
    row.append(element('line', { x1: Math.min(x[role], x.broker), x2: Math.max(x[role], x.broker), y1: 24, y2: 24 }));
    row.append(element('text', { x: width / 2, y: 14, class: 'label' }, `✂ ${reason}`));
    return row;
  }

  private markerRow(text: string): SVGGElement {
    const { width } = this.geometry;
    const row = element('g', { class: 'row marker', 'data-type': 'marker' });
    row.append(element('line', { x1: 0, x2: width, y1: 24, y2: 24 }));
    row.append(element('text', { x: width / 2, y: 14, class: 'label' }, text));
    return row;
  }

  private layout(follow: boolean): void {
    let y = TOP;
    for (const row of this.rows) {
      row.setAttribute('transform', `translate(0 ${y})`);
      y += ROW_HEIGHT + (row.querySelector('.fault-note') === null ? 0 : NOTE_HEIGHT);
    }
    const height = y + 10;
    for (const line of this.lifelines) line.setAttribute('y2', String(height));
    this.svg.setAttribute('viewBox', `0 0 ${this.geometry.width} ${height}`);
    this.svg.setAttribute('height', String(height));
    const view = this.svg.parentElement;
    if (follow && view !== null) view.scrollTop = view.scrollHeight;
  }
}
