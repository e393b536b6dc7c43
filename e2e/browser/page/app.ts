// The test page: what the Playwright tests drive, through window.courierTest.
import { connect, type MqttClient, type QoS } from '@courier/browser';

interface Run {
  url: string;
  protocolVersion: 4 | 5;
  publishQos: QoS;
  subscribeQos: QoS;
  count: number;
  tag: string;
  options?: { ackTimeoutMs?: number; clean?: boolean };
  /** How long to wait for every message (QoS 0 under faults may legitimately lose some). */
  waitMs?: number;
}

interface RunResult {
  /** How many times each message number arrived. */
  counts: Record<number, number>;
  /** The QoS each message number arrived with. */
  qos: Record<number, number>;
  /** What each publish promise settled with. */
  settled: (number | string)[];
}

const clients: MqttClient[] = [];

async function runCombination(run: Run): Promise<RunResult> {
  const options = { protocolVersion: run.protocolVersion, reconnect: { initialDelayMs: 10, maxDelayMs: 50 }, ...run.options };
  const subscriber = await connect(run.url, { ...options, clientId: `sub-${run.tag}` });
  const publisher = await connect(run.url, { ...options, clientId: `pub-${run.tag}` });
  clients.push(subscriber, publisher);
  const result: RunResult = { counts: {}, qos: {}, settled: [] };
  let distinct = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  subscriber.on('message', (message) => {
    const id = Number(new TextDecoder().decode(message.payload));
    if (result.counts[id] === undefined) distinct++;
    result.counts[id] = (result.counts[id] ?? 0) + 1;
    result.qos[id] = message.qos;
    if (distinct === run.count) done();
  });
  await subscriber.subscribe(`browser/${run.tag}`, { qos: run.subscribeQos });
  result.settled = await Promise.all(
    Array.from({ length: run.count }, (_, i) =>
      publisher.publish(`browser/${run.tag}`, String(i), { qos: run.publishQos }).then(
        (r) => r.qos ?? -1,
        (error: { code?: string }) => error.code ?? 'error',
      ),
    ),
  );
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, run.waitMs ?? 10_000))]);
  return result;
}

async function endAll(): Promise<void> {
  await Promise.all(clients.splice(0).map((client) => client.end({ force: true })));
}

Object.assign(window, { courierTest: { runCombination, endAll } });
document.getElementById('status')!.textContent = 'ready';
