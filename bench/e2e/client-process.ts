// One publisher or one subscriber for bench/e2e.bench.ts, in a process of its own: Courier
// (@courier/node, from source), MQTT.js 5.16 or the raw socket client, configured by the JSON
// in argv[2] (a ClientConfig) and driven over IPC (Command in, Reply out; see shared.ts):
//   start   -> connects (the subscriber also subscribes), replies ready
//   warmup  -> publisher: publishes `warmup` messages flagged as warm-up, at most 100 unsettled,
//              replies warmedUp; the subscriber replies warmedUp once it has them all
//   go      -> both take a CPU reading; the publisher publishes `count` messages in its mode and
//              replies published; the subscriber replies received once it has `count` messages
//              (or after 2 s without one, once told publisherDone)
//   report  -> CPU µs used since go (all, and in the kernel), read and write syscalls since go
//              (Linux: /proc/self/io), and the process's peak RSS
//   exit    -> leaves at once (the broker sees the connection close)
// Times are process.hrtime.bigint() in ns, as strings: CLOCK_MONOTONIC, comparable across processes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { MqttClient as MqttJsClient } from 'mqtt';
import { connect as courierConnect, type MqttClient as CourierClient } from '@courier/node';
import { FrameBlock, rawConnect, rawPublish, rawSubscribe } from './raw-client';
import {
  type ClientConfig,
  type Command,
  COURIER_MAX_INFLIGHT,
  COURIER_MAX_QUEUED_QOS0,
  drive,
  isWarmup,
  KEEP_ALIVE,
  payloadOf,
  type Reply,
  sequenceOf,
  TOPIC,
  TOPIC_ALIASES,
  WINDOW,
  windowOf,
} from './shared';

const config = JSON.parse(process.argv[2]!) as ClientConfig;
const { kind, role, port, qos, count, warmup, version, mode } = config;
const clientId = `bench-${role === 'publisher' ? 'pub' : 'sub'}-${process.pid}`;

const send = (reply: Reply): void => {
  process.send!(reply);
};
const fail = (error: unknown): void => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
};

let cpuAtGo: NodeJS.CpuUsage | undefined;
let syscallsAtGo = { reads: 0, writes: 0 };

/** Read and write syscalls of this process so far (0 where /proc/self/io does not exist). */
function syscalls(): { reads: number; writes: number } {
  if (!existsSync('/proc/self/io')) return { reads: 0, writes: 0 };
  const text = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { reads: field('syscr'), writes: field('syscw') };
}

/** The start of the measured part. */
function markGo(): void {
  startProfile();
  syscallsAtGo = syscalls();
  cpuAtGo = process.cpuUsage();
}

// MQTT.js is loaded only by its own processes, so that it adds neither start-up time nor RSS to
// Courier's and the raw client's.
const connectMqttJs = async (): Promise<MqttJsClient> => {
  const { default: mqtt } = await import('mqtt');
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, protocolVersion: 4, clean: true, reconnectPeriod: 0, keepalive: KEEP_ALIVE });
};

// BENCH_PROFILE=1: the V8 profiler runs from go to report only, not through start-up and warm-up.
const profiler = config.profile === undefined ? undefined : new Session();
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((resolve, reject) => profiler!.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
function startProfile(): void {
  if (profiler === undefined) return;
  profiler.connect();
  void post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 200 })).then(() => post('Profiler.start'));
}
async function stopProfile(): Promise<void> {
  if (profiler === undefined) return;
  const { profile } = (await post('Profiler.stop')) as { profile: object };
  writeFileSync(config.profile!, JSON.stringify(profile));
}
let running = true; // false once told to exit: a close after that is expected

/** A client's way of publishing one message and of being told it settled. */
type Publish = (payload: Uint8Array, done: () => void) => void;

// --- the publisher ---------------------------------------------------------------------------

async function publisher(): Promise<void> {
  let publishOne: Publish | undefined;
  let raw: { warm: () => Promise<void>; run: () => Promise<void> } | undefined;

  if (kind === 'courier') {
    const client: CourierClient = await courierConnect(`mqtt://127.0.0.1:${port}`, {
      clientId, protocolVersion: version, keepAlive: KEEP_ALIVE, ...(COURIER_MAX_INFLIGHT === undefined ? {} : { maxInflight: COURIER_MAX_INFLIGHT }), maxQueuedQoS0: COURIER_MAX_QUEUED_QOS0, autoTopicAliases: TOPIC_ALIASES,
    });
    client.on('disconnect', (info) => running && send({ type: 'note', message: `Courier publisher disconnected: ${info.error?.message}` }));
    publishOne = (payload, done) => {
      client.publish(TOPIC, payload, { qos }).then(done, fail);
    };
  } else if (kind === 'mqttjs') {
    const client = await connectMqttJs();
    // 20,000 QoS 0 publishes at once wait for 'drain' once each: by design here, not a leak.
    client.stream.setMaxListeners(0);
    client.on('close', () => running && fail(new Error('MQTT.js publisher: the connection closed')));
    publishOne = (payload, done) => {
      client.publish(TOPIC, payload as Buffer, { qos }, (error) => (error ? fail(error) : done()));
    };
  } else {
    const connection = await rawConnect(port, clientId);
    // Frames built before the measurement: encoding is not what the raw client is about.
    const warmBlock = new FrameBlock(warmup, qos, 1, true);
    const runBlock = new FrameBlock(count, qos, warmup + 1, false);
    raw = {
      warm: () => rawPublish(connection, warmBlock, warmup, qos, WINDOW),
      run: () => rawPublish(connection, runBlock, count, qos, windowOf(mode)),
    };
  }

  // MQTT.js wants a Buffer; Courier takes any Uint8Array. Each message gets its own payload.
  const payload = kind === 'mqttjs' ? (i: number, w: boolean) => Buffer.from(payloadOf(i, w).buffer) : payloadOf;
  const publishAll = (n: number, window: number, w: boolean): Promise<void> =>
    drive(n, window, (i, done) => publishOne!(payload(i, w), done));

  let go: (() => void) | undefined;
  onCommand = (command) => {
    if (command.type === 'warmup') {
      (raw ? raw.warm() : publishAll(warmup, WINDOW, true)).then(() => send({ type: 'warmedUp' }), fail);
    } else if (command.type === 'go') {
      go?.();
    }
  };
  send({ type: 'ready', rssKiB: Math.round(process.memoryUsage.rss() / 1024) });
  await new Promise<void>((resolve) => (go = resolve));
  markGo();
  const startedAt = process.hrtime.bigint();
  await (raw ? raw.run() : publishAll(count, windowOf(mode), false));
  send({ type: 'published', startedAt: startedAt.toString(), finishedAt: process.hrtime.bigint().toString() });
}

// --- the subscriber --------------------------------------------------------------------------

async function subscriber(): Promise<void> {
  let received = 0;
  let warm = 0;
  let duplicates = 0;
  let firstAt = 0n;
  let lastAt = 0n;
  const seen = new Uint8Array(count);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    send({ type: 'received', received, duplicates, firstAt: firstAt.toString(), lastAt: lastAt.toString() });
  };
  const onMessage = (payload: Uint8Array): void => {
    if (isWarmup(payload)) {
      if (++warm === warmup) send({ type: 'warmedUp', received: warm });
      return;
    }
    lastAt = process.hrtime.bigint();
    if (received === 0) firstAt = lastAt;
    received++;
    const sequence = sequenceOf(payload);
    if (seen[sequence] === 1) duplicates++;
    seen[sequence] = 1;
    if (received === count) finish();
  };

  if (kind === 'courier') {
    // BENCH_MANUAL_ACKS=1: the subscriber acknowledges each message itself, at once (issue 13's
    // "within 10% of the default mode").
    const manualAcks = process.env.BENCH_MANUAL_ACKS === '1';
    const client = await courierConnect(`mqtt://127.0.0.1:${port}`, { clientId, protocolVersion: version, keepAlive: KEEP_ALIVE, manualAcks });
    client.on('disconnect', (info) => running && send({ type: 'note', message: `Courier subscriber disconnected: ${info.error?.message}` }));
    client.on(
      'message',
      manualAcks
        ? (message) => {
            onMessage(message.payload);
            void message.ack();
          }
        : (message) => onMessage(message.payload),
    );
    await client.subscribe(TOPIC, { qos });
  } else if (kind === 'mqttjs') {
    const client = await connectMqttJs();
    client.on('close', () => running && fail(new Error('MQTT.js subscriber: the connection closed')));
    client.on('message', (_topic, payload) => onMessage(payload));
    await client.subscribeAsync(TOPIC, { qos });
  } else {
    const connection = await rawConnect(port, clientId);
    connection.onClose = () => running && fail(new Error('raw subscriber: the connection closed'));
    await rawSubscribe(connection, qos, onMessage);
  }

  if (warmup === 0) send({ type: 'warmedUp', received: 0 });
  onCommand = (command) => {
    if (command.type === 'go') {
      markGo();
    } else if (command.type === 'publisherDone') {
      // Messages may be lost (QoS 0, or a broker that drops): stop after 2 s of silence.
      let last = received;
      const quiet = setInterval(() => {
        if (finished || received === last) {
          clearInterval(quiet);
          finish();
        }
        last = received;
      }, 2000);
    }
  };
  send({ type: 'ready', rssKiB: Math.round(process.memoryUsage.rss() / 1024) });
}

// --- both ------------------------------------------------------------------------------------

let onCommand: (command: Command) => void = () => {};

process.on('message', (command: Command) => {
  if (command.type === 'exit') {
    running = false;
    process.exit(0);
  }
  if (command.type === 'report') {
    const cpu = process.cpuUsage(cpuAtGo);
    const calls = syscalls();
    const report: Reply = {
      type: 'report',
      cpuMicros: cpu.user + cpu.system,
      systemMicros: cpu.system,
      readCalls: calls.reads - syscallsAtGo.reads,
      writeCalls: calls.writes - syscallsAtGo.writes,
      maxRssKiB: process.resourceUsage().maxRSS,
    };
    stopProfile().then(() => send(report), fail);
    return;
  }
  onCommand(command);
});
process.on('disconnect', () => process.exit(0));

(role === 'publisher' ? publisher() : subscriber()).catch(fail);
