// One MQTT.js client for bench/broker.bench.ts, in a process of its own, driven over IPC:
//   { role: 'subscribe', port, qos, count } -> connects, subscribes, answers { ready: true },
//       then answers { received, duplicates, lastAt } once `count` messages arrived (or on 'stop');
//   { role: 'publish', port, qos, count, maxInFlight } -> connects, answers { ready: true } and on
//       { go: true } publishes `count` 64-byte messages, at most `maxInFlight` QoS 1/2 unacknowledged
//       (MQTT.js ignores the broker's Receive Maximum), then answers { startedAt, finishedAt }.
// Times are process.hrtime.bigint() in ns as strings: CLOCK_MONOTONIC, comparable across processes.
import mqtt, { type MqttClient } from 'mqtt';

interface Command {
  role?: 'subscribe' | 'publish';
  go?: boolean;
  stop?: boolean;
  port?: number;
  qos?: 0 | 1 | 2;
  count?: number;
  maxInFlight?: number;
}

const TOPIC = 'bench/messages';
const PAYLOAD = Buffer.alloc(64, 0x61);
let client: MqttClient | undefined;
let go: (() => void) | undefined;
let report: (() => void) | undefined;

const send = (message: object): void => {
  process.send!(message);
};

async function connect(port: number, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
}

async function subscribe(port: number, qos: 0 | 1 | 2, count: number): Promise<void> {
  client = await connect(port, `bench-sub-${process.pid}`);
  let received = 0;
  let duplicates = 0;
  let lastAt = 0n;
  const seen = new Set<number>();
  report = () => {
    report = undefined;
    send({ received, duplicates, lastAt: lastAt.toString() });
  };
  client.on('message', (_topic, payload, packet) => {
    lastAt = process.hrtime.bigint();
    received++;
    // Each message carries its sequence number in its first four bytes.
    const sequence = payload.readUInt32BE(0);
    if (seen.has(sequence)) duplicates++;
    seen.add(sequence);
    void packet;
    if (received === count) report?.();
  });
  await client.subscribeAsync(TOPIC, { qos });
  send({ ready: true });
}

async function publish(port: number, qos: 0 | 1 | 2, count: number, maxInFlight: number): Promise<void> {
  client = await connect(port, `bench-pub-${process.pid}`);
  const publisher = client;
  // Publishing 20,000 QoS 0 messages at once makes MQTT.js wait for 'drain' once per message on
  // its socket, beyond the 1000 listeners it allows itself: by design here, not a leak.
  publisher.stream.setMaxListeners(0);
  await new Promise<void>((resolve) => {
    go = resolve;
    send({ ready: true });
  });
  const startedAt = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let done = 0;
    const next = (): void => {
      while (sent < count && (qos === 0 || sent - done < maxInFlight)) {
        const payload = Buffer.from(PAYLOAD);
        payload.writeUInt32BE(sent, 0);
        sent++;
        publisher.publish(TOPIC, payload, { qos }, () => {
          done++;
          if (done === count) resolve();
          else if (qos !== 0) next();
        });
      }
    };
    next();
  });
  send({ startedAt: startedAt.toString(), finishedAt: process.hrtime.bigint().toString() });
}

process.on('message', (command: Command) => {
  if (command.go === true) return go?.();
  if (command.stop === true) return report?.();
  const run = async (): Promise<void> => {
    if (client !== undefined) await client.endAsync(true);
    const { port = 0, qos = 0, count = 0 } = command;
    if (command.role === 'subscribe') await subscribe(port, qos, count);
    else await publish(port, qos, count, command.maxInFlight ?? 100);
  };
  run().catch((error: unknown) => {
    send({ error: String(error) });
  });
});
process.on('disconnect', () => process.exit(0));
