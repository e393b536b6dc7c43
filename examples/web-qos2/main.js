// A web page that subscribes at QoS 2 and lists what arrives. With `clean: false` the broker keeps
// the session and the client keeps received packet ids (in IndexedDB), so a message redelivered
// after a dropped connection or a reload is acknowledged again but shown only once.
import { connect } from '@courier/browser';

const params = new URLSearchParams(location.search);
const brokerUrl = params.get('broker') ?? 'ws://127.0.0.1:8083/mqtt';
const filter = params.get('topic') ?? 'alerts/#';
// One client id per tab, kept across reloads: it names the broker session and the outbox.
const clientId = params.get('clientId') ?? (sessionStorage.courierClientId ??= `web-qos2-${crypto.randomUUID().slice(0, 8)}`);

const status = document.querySelector('#status');
const list = document.querySelector('#messages');
const count = document.querySelector('#count');
document.querySelector('#filter').textContent = filter;

const client = await connect(brokerUrl, { clientId, clean: false }).catch((error) => {
  // The usual cause on a first try: no broker. Say how to start the one in this repository.
  status.textContent = `not connected to ${brokerUrl}: ${error.message} (no broker there? at the repository root: npm run broker -- --port 1883 --ws-port 8083)`;
  throw error;
});
status.textContent = 'connected';
client.on('connect', () => (status.textContent = 'connected'));
client.on('disconnect', () => (status.textContent = 'reconnecting'));

client.on('message', ({ topic, payload, qos }) => {
  const item = document.createElement('li');
  item.textContent = `${topic}: ${new TextDecoder().decode(payload)} (QoS ${qos})`;
  list.append(item);
  count.textContent = String(list.children.length);
});
await client.subscribe(filter, { qos: 2 });

document.querySelector('#publish').addEventListener('submit', (event) => {
  event.preventDefault();
  const topic = document.querySelector('#topic').value;
  const payload = document.querySelector('#payload').value;
  // Resolves on PUBCOMP: the broker has the message, exactly once.
  client.publish(topic, payload, { qos: 2 }).catch((error) => (status.textContent = `publish failed: ${error.message}`));
});
