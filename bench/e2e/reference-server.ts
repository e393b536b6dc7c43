// The reference broker for bench/e2e.bench.ts, in a process of its own: like its CLI (which
// prints "listening on mqtt://127.0.0.1:PORT" and stops on SIGTERM), but with queues of 100,000
// messages per session, as the bench gives Mosquitto. With the default 1,000, a subscriber
// whose window is full lost QoS 1 and 2 messages ("queue full, dropping") in about a third of
// the QoS 1/2 runs, which made a lossy run look fast.
import { createBroker } from '@courier/broker';

const broker = await createBroker({ host: '127.0.0.1', port: 0, maxQueuedMessages: 100_000, log: (line) => console.log(line) });
process.on('SIGTERM', () => {
  broker.close().then(() => process.exit(0), () => process.exit(1));
});
