// A sensor service: a temperature reading every second, published at QoS 1 through a file outbox.
// A reading the broker has not acknowledged is owed: it is resent after a dropped connection, and
// after a crash or a restart it is still in the outbox and goes out when the service starts again.
import { fileURLToPath } from 'node:url';
import { createClient } from '@courier/node';
import { fileOutbox } from '@courier/outbox-store/fs';

const brokerUrl = process.env.BROKER_URL ?? 'mqtt://127.0.0.1:1883';
const sensorId = process.env.SENSOR_ID ?? 'sensor-1';
const intervalMs = Number(process.env.INTERVAL_MS ?? 1000);
const outboxDir = process.env.OUTBOX_DIR ?? fileURLToPath(new URL('./outbox', import.meta.url));
const topic = `sensors/${sensorId}/temperature`;

// clean: false asks the broker to keep the session, so that acks owed across a reconnect still
// count; the client id names both the session and the outbox journal.
const client = createClient(brokerUrl, {
  clientId: sensorId,
  clean: false,
  outbox: fileOutbox({ dir: outboxDir }),
});
client.on('connect', ({ sessionPresent }) => console.log(`connected to ${brokerUrl} (session present: ${sessionPresent})`));
client.on('disconnect', ({ error }) => console.log(`disconnected${error ? `: ${error.message}` : ''}`));
client.on('error', (error) => console.error(`error: ${error.message}`));

// What the last run published and did not see acknowledged goes out by itself; this only reports it.
const owed = await client.pending();
console.log(`owed from the last run: ${owed.length}`);
if (owed.length > 0) {
  Promise.all(owed.map((entry) => client.delivered(entry.id))).then(
    () => console.log(`delivered the ${owed.length} readings owed from the last run`),
    (error) => console.error(`error: ${error.message}`),
  );
}

// A run id keeps readings of different runs apart; seq counts within a run.
const run = Date.now();
let seq = 0;
function publishReading() {
  seq += 1;
  const reading = { sensor: sensorId, run, seq, celsius: Math.round((20 + 5 * Math.sin(seq / 10)) * 10) / 10, at: new Date().toISOString() };
  // Not awaited: readings keep their pace while offline; each one settles on its own PUBACK.
  client.publish(topic, JSON.stringify(reading), { qos: 1 }).then(
    () => console.log(`acknowledged seq ${reading.seq}`),
    (error) => console.error(`reading ${reading.seq} not delivered: ${error.message}`),
  );
}
const timer = setInterval(publishReading, intervalMs);
publishReading();

// Ctrl-C: stop reading, wait (up to 5 s) for what is in flight; what is still owed stays on disk.
async function stop() {
  clearInterval(timer);
  await client.end({ timeoutMs: 5000 });
  console.log('stopped');
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
