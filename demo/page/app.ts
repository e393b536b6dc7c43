// The demo page: publish at a chosen QoS to a subscription at a chosen QoS, and watch the packets
// the broker sees (streamed from the demo server) drawn as a sequence diagram. Three buttons break
// things on purpose: a cut mid-flow (the resend with DUP=1), a reload with messages still owed
// (the IndexedDB outbox delivers them after the reload), and a subscriber that crashes with
// messages in hand, unacknowledged (the broker delivers them again after the reload).
import { connectionOwner, type MqttClient, type OutboxEntry, type QoS } from '@courier/browser';
import type { FlowEvent } from '../shared/flow-event';
import { clientIds, connectClients } from './demo-clients';
import { DeliveryCounts } from './delivery-counts';
import { DiagramStepper } from './diagram-stepper';
import { DowngradeTable } from './downgrade-table';
import { fillLegend } from './legend';
import { SequenceDiagram } from './sequence-diagram';
import { SubscriberCrash } from './subscriber-crash';

const HELD = 3;
let droppedPublishes = 0;
const ids = clientIds();
const counts = new DeliveryCounts(document.querySelector<HTMLTableElement>('#counts')!);
const diagram = new SequenceDiagram(
  document.querySelector<SVGSVGElement>('#diagram')!,
  { [ids.publisher]: 'publisher', [ids.subscriber]: 'subscriber' },
  'courier-demo:diagram',
);
const stepper = new DiagramStepper(document.querySelector<SVGSVGElement>('#diagram')!, document.querySelector<HTMLOutputElement>('#step-status')!);
const downgrade = new DowngradeTable(document.querySelector<HTMLTableSectionElement>('#downgrade tbody')!);
const button = (id: string) => document.querySelector<HTMLButtonElement>(`#${id}`)!;
const checkedQos = (name: string) => Number(document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)!.value) as QoS;
// The subscription's QoS as the broker granted it: what the downgrade table's rows are keyed by.
let subscribedQos: QoS | undefined;
fillLegend(document);
const crash = new SubscriberCrash(log);
// Set while the subscriber's crash is staged: the publisher's clean end is not a lost connection.
let crashing = false;

/**
 * Which tab holds the connection: a duplicated tab has the same client ids (sessionStorage is
 * copied), and the tabs of a session share one connection, owned by one of them.
 */
function showOwner(client: MqttClient): void {
  const show = () => {
    const owner = connectionOwner(client);
    document.querySelector('#owner')!.textContent =
      owner === undefined ? 'this tab’s own' : owner.here ? 'this tab owns it, for every tab of this session' : 'shared: another tab of this session owns it';
  };
  client.on('owner', show);
  show();
}

function status(text: string): void {
  document.querySelector('#status')!.textContent = text;
}

/** A line in the log, oldest first, as the diagram; the newest is scrolled into view. */
function log(text: string): void {
  const list = document.querySelector('#log')!;
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

// EventSource retries by itself while the demo server is away; a stream it gave up on is opened again.
const REOPEN_MS = 2_000;

/**
 * Opens the packet stream of this tab's clients; resolves once it is open, so nothing is missed.
 * When the stream comes back after a break (the demo server restarted), a marker says that the
 * packets in between are not drawn: the diagram goes on rather than freezing.
 */
function openFlow(): Promise<void> {
  return new Promise((resolve) => {
    let opened = false;
    const open = (): void => {
      const source = new EventSource(`/flow?clients=${encodeURIComponent(`${ids.publisher},${ids.subscriber}`)}`);
      source.onmessage = ({ data }) => {
        const event = JSON.parse(data as string) as FlowEvent;
        if (event.kind === 'packet' && event.type === 'publish' && event.fault === 'dropped' && event.clientId === ids.publisher) droppedPublishes += 1;
        diagram.add(event);
      };
      source.onopen = () => {
        if (opened) diagram.add({ kind: 'marker', text: '⟳ packet stream back: packets meanwhile not drawn' });
        opened = true;
        resolve();
      };
      source.onerror = () => {
        if (!opened) return;
        log('the packet stream from the demo server broke; reconnecting');
        if (source.readyState === EventSource.CLOSED) setTimeout(open, REOPEN_MS);
      };
    };
    open();
  });
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
  // manualAcks: a message is acknowledged once it is processed (counted), not before.
  subscriber.on('message', (message) => {
    const { topic, payload, qos: received } = message;
    const n = Number(new TextDecoder().decode(payload).slice(1));
    if (crash.take(n, received)) return;
    const qos = Number(topic.slice(-1)) as QoS;
    counts.arrived(n, qos);
    if (subscribedQos !== undefined) downgrade.observe(qos, subscribedQos, received);
    void message.ack().then(() => crash.processed(n));
  });
  // What the publisher owed when its connection went: read then, since on reconnect the resends
  // may be acknowledged before the outbox could be asked.
  let owedAtCut: Promise<number> = Promise.resolve(0);
  publisher.on('disconnect', () => {
    owedAtCut = publisher.pending().then((owed) => owed.length);
  });
  for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('disconnect', ({ error }) => {
      if (crashing) return;
      status(`${name} disconnected, reconnecting…`);
      log(`${name}: connection lost${error === undefined ? '' : ` (${error.message})`}, reconnecting`);
    });
    client.on('connect', ({ sessionPresent }) => {
      status(`connected (${name}: session ${sessionPresent ? 'present' : 'new'})`);
      // Handlers come after the first connection: this is a reconnect. Say what really goes again.
      void (name === 'publisher' ? owedAtCut : Promise.resolve(undefined)).then((owed) => {
        const session = sessionPresent ? 'session present' : 'session lost (the broker forgot it)';
        if (owed === undefined) log(`${name}: reconnected, ${session}; the broker resends what the subscriber had not acknowledged, if anything (never QoS 0)`);
        else if (owed === 0) log(`${name}: reconnected, ${session}; nothing owed, so nothing is resent (a QoS 0 message never is)`);
        else {
          const again = sessionPresent ? 'again with DUP=1, under the same packet id' : 'again as new messages';
          log(`${name}: reconnected, ${session}; ${owed} owed message${owed === 1 ? '' : 's'} ${owed === 1 ? 'goes' : 'go'} ${again}`);
        }
      });
    });
  }
  const highlight = () => downgrade.highlight(checkedQos('pub-qos'), checkedQos('sub-qos'));
  const subscribe = () => {
    const qos = checkedQos('sub-qos');
    sessionStorage.setItem('courier-demo:sub-qos', String(qos));
    highlight();
    return subscriber.subscribe(`${ids.topic}/+`, { qos }).then(({ granted }) => {
      subscribedQos = granted[0] as QoS;
      log(`subscribed at QoS ${qos} (granted ${granted.join()})`);
    });
  };
  for (const input of document.querySelectorAll('input[name="sub-qos"]')) input.addEventListener('change', () => void subscribe());
  for (const input of document.querySelectorAll('input[name="pub-qos"]')) {
    input.addEventListener('change', () => {
      sessionStorage.setItem('courier-demo:pub-qos', String(checkedQos('pub-qos')));
      highlight();
    });
  }
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
  button('crash-subscriber').onclick = async () => {
    if (subscribedQos === 0) {
      log('subscribed at QoS 0: nothing is acknowledged, so nothing would come again after a crash; subscribe at QoS 1 or 2 for this one');
      return;
    }
    // QoS 0 is never acknowledged: the crash is shown with QoS 1 when QoS 0 is picked.
    const qos = Math.max(1, checkedQos('pub-qos')) as QoS;
    log(`the subscriber takes the next ${HELD} messages in hand and crashes (the page reloads) before it acknowledges them`);
    const inHand = crash.hold(HELD);
    const published = Array.from({ length: HELD }, () => publish(publisher, qos));
    // The 10 s bound is for a broker that went away: the page crashes anyway, as an app would.
    await Promise.race([Promise.all([inHand, ...published]), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    // The publisher is done with them, but the outbox's deletes may still be on their way to
    // IndexedDB, and a reload would cut them off: the messages would go again from its outbox
    // (and at QoS 1 reach the subscriber twice). Ended first, it closes its outbox with nothing
    // owed, and the crash is the subscriber's alone.
    crashing = true;
    log('the publisher has its acks and disconnects cleanly, its outbox closed with nothing owed: only the subscriber crashes');
    await publisher.end({ timeoutMs: 5_000 });
    diagram.add({ kind: 'marker', text: `✗ subscriber crashed here: ${HELD} messages in hand, never acknowledged` });
    crash.crash();
  };
  button('clear').onclick = () => {
    stepper.stop();
    diagram.clear();
  };
  void subscribe();
}

button('step').onclick = () => stepper.step();
button('replay').onclick = () => stepper.replay();

async function start(): Promise<void> {
  // After a reload: the choices from before it, and the subscription the broker kept (clean:
  // false), which the messages it sends again right after CONNACK arrive under.
  const saved = sessionStorage.getItem('courier-demo:sub-qos');
  if (saved !== null) {
    document.querySelector<HTMLInputElement>(`input[name="sub-qos"][value="${saved}"]`)!.checked = true;
    subscribedQos = Number(saved) as QoS;
  }
  const savedPublish = sessionStorage.getItem('courier-demo:pub-qos');
  if (savedPublish !== null) document.querySelector<HTMLInputElement>(`input[name="pub-qos"][value="${savedPublish}"]`)!.checked = true;
  status('connecting…');
  await openFlow();
  const { publisher, subscriber, restored } = await connectClients(document.body.dataset.brokerWsUrl!, ids);
  crash.reportRestart();
  wire(publisher, subscriber);
  showOwner(publisher);
  for (const id of ['publish', 'cut', 'reload', 'crash-subscriber']) button(id).disabled = false;
  status('connected');
  await followRestored(publisher, restored);
}

start().catch((error: unknown) => status(`failed: ${error instanceof Error ? error.message : String(error)}`));
