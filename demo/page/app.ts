// The demo page: publish at a chosen QoS to a subscription at a chosen QoS, and watch the packets
// the broker sees (streamed from the demo server) drawn as a sequence diagram. Two buttons break
// things on purpose: a cut mid-flow (the resend with DUP=1), and a reload with messages still
// owed (the IndexedDB outbox delivers them after the reload).
import type { MqttClient, OutboxEntry, QoS } from '@courier/browser';
import type { FlowEvent } from '../shared/flow-event';
import { clientIds, connectClients } from './demo-clients';
import { DeliveryCounts } from './delivery-counts';
import { SequenceDiagram } from './sequence-diagram';

const HELD = 3;
let droppedPublishes = 0;
const ids = clientIds();
const counts = new DeliveryCounts(document.querySelector<HTMLTableElement>('#counts')!);
const diagram = new SequenceDiagram(document.querySelector<SVGSVGElement>('#diagram')!, { [ids.publisher]: 'publisher', [ids.subscriber]: 'subscriber' });
const button = (id: string) => document.querySelector<HTMLButtonElement>(`#${id}`)!;
const checkedQos = (name: string) => Number(document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)!.value) as QoS;

function status(text: string): void {
  document.querySelector('#status')!.textContent = text;
}

/** A line in the log under the controls, newest first. */
function log(text: string): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  document.querySelector('#log')!.prepend(item);
}

/** Opens the packet stream of this tab's clients; resolves once it is open, so nothing is missed. */
function openFlow(): Promise<void> {
  const source = new EventSource(`/flow?clients=${encodeURIComponent(`${ids.publisher},${ids.subscriber}`)}`);
  source.onmessage = ({ data }) => {
    const event = JSON.parse(data as string) as FlowEvent;
    if (event.kind === 'packet' && event.type === 'publish' && event.fault === 'dropped' && event.clientId === ids.publisher) droppedPublishes += 1;
    diagram.add(event);
  };
  return new Promise((resolve) => source.addEventListener('open', () => resolve(), { once: true }));
}

async function post(path: string, params: Record<string, string | number>): Promise<unknown> {
  const query = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
  const response = await fetch(`${path}?${query}`, { method: 'POST' });
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

async function showOwed(publisher: MqttClient): Promise<void> {
  const owed = await publisher.pending();
  document.querySelector('#owed')!.textContent = `${owed.length}`;
}

function publish(publisher: MqttClient, qos: QoS): Promise<void> {
  const n = counts.sent(qos);
  log(`publish #${n} at QoS ${qos}`);
  const done = publisher.publish(`${ids.topic}/qos${qos}`, `#${n}`, { qos }).then(
    () => log(`#${n} settled: ${['handed to the socket', 'PUBACK received', 'PUBCOMP received'][qos]}`),
    (error: Error) => log(`#${n} failed: ${error.message}`),
  );
  void showOwed(publisher);
  return done.then(() => showOwed(publisher));
}

/** After a reload: what the IndexedDB outbox still owed, and each one's delivery as it comes. */
async function followRestored(publisher: MqttClient, owed: OutboxEntry[]): Promise<void> {
  if (owed.length === 0) return;
  const names = owed.map((entry) => new TextDecoder().decode(entry.payload)).join(' ');
  log(`restored from IndexedDB: ${owed.length} owed (${names}), resent with DUP=1`);
  await showOwed(publisher);
  await Promise.all(owed.map((entry) => publisher.delivered(entry.id).then(() => log(`${new TextDecoder().decode(entry.payload)} delivered from the outbox`))));
  await showOwed(publisher);
}

function wire(publisher: MqttClient, subscriber: MqttClient): void {
  subscriber.on('message', ({ topic, payload }) => {
    const qos = Number(topic.slice(-1)) as QoS;
    counts.arrived(Number(new TextDecoder().decode(payload).slice(1)), qos);
  });
  for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('disconnect', ({ error }) => {
      status(`${name} disconnected, reconnecting…`);
      log(`${name}: connection lost${error === undefined ? '' : ` (${error.message})`}, reconnecting`);
    });
    client.on('connect', ({ sessionPresent }) => {
      status(`connected (${name}: session ${sessionPresent ? 'present' : 'new'})`);
      // Handlers come after the first connection: this is a reconnect.
      const resend = name === 'publisher' ? 'its unacknowledged PUBLISH packets go again with DUP=1' : 'the broker resends what it was not acknowledged';
      log(`${name}: reconnected, session ${sessionPresent ? `present: ${resend}` : 'lost'}`);
    });
  }
  const subscribe = () => {
    const qos = checkedQos('sub-qos');
    sessionStorage.setItem('courier-demo:sub-qos', String(qos));
    return subscriber.subscribe(`${ids.topic}/+`, { qos }).then(({ granted }) => log(`subscribed at QoS ${qos} (granted ${granted.join()})`));
  };
  for (const input of document.querySelectorAll('input[name="sub-qos"]')) input.addEventListener('change', () => void subscribe());
  button('publish').onclick = () => void publish(publisher, checkedQos('pub-qos'));
  button('cut').onclick = async () => {
    const qos = checkedQos('pub-qos');
    const { armed } = (await post('/faults/cut', { clientId: ids.publisher, qos })) as { armed: string };
    log(`cut armed: ${armed}${qos === 0 ? ' (QoS 0 has nothing to resend: the message is lost)' : ''}`);
    await publish(publisher, qos);
  };
  button('reload').onclick = async () => {
    // QoS 0 is never stored: the reload shows the outbox with QoS 1 when QoS 0 is picked.
    const qos = Math.max(1, checkedQos('pub-qos')) as QoS;
    await post('/faults/hold', { clientId: ids.publisher, count: HELD });
    log(`the broker drops the next ${HELD} PUBLISH packets; reloading while they are owed`);
    const before = droppedPublishes;
    for (let k = 0; k < HELD; k++) void publish(publisher, qos);
    // Each was written to IndexedDB before its first byte went out (write-ahead), so once the
    // broker has seen (and dropped) all of them, they are on disk. The 10 s bound is for an event
    // stream that went away: the page reloads anyway, as a user would.
    const deadline = Date.now() + 10_000;
    while (droppedPublishes < before + HELD && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    location.reload();
  };
  button('clear').onclick = () => diagram.clear();
  void subscribe();
}

async function start(): Promise<void> {
  const saved = sessionStorage.getItem('courier-demo:sub-qos');
  if (saved !== null) document.querySelector<HTMLInputElement>(`input[name="sub-qos"][value="${saved}"]`)!.checked = true;
  status('connecting…');
  await openFlow();
  const { publisher, subscriber, restored } = await connectClients(document.body.dataset.brokerWsUrl!, ids);
  wire(publisher, subscriber);
  for (const id of ['publish', 'cut', 'reload']) button(id).disabled = false;
  status('connected');
  await followRestored(publisher, restored);
}

start().catch((error: unknown) => status(`failed: ${error instanceof Error ? error.message : String(error)}`));
