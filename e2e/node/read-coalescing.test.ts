// Read coalescing (`coalesceReadsMs`, on by default at 1 ms) through real brokers: under a fast
// QoS 0 stream the subscriber stops reading between reads, and that must lose, reorder or slow
// nothing else. Its effect on CPU is measured in bench/RESULTS.md, not asserted here.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect } from '@courier/node';
import { type BrokerUnderTest, startBroker } from '../support/brokers';
import { startMosquitto } from '../support/mosquitto';

const STREAM = 20_000;
const BATCH = 500;
const text = (payload: Uint8Array) => new TextDecoder().decode(payload);

async function startMosquittoNoDelay(): Promise<BrokerUnderTest> {
  const mosquitto = await startMosquitto(['set_tcp_nodelay true']);
  return { name: 'mosquitto', url: () => `mqtt://127.0.0.1:${mosquitto.port}`, stop: () => mosquitto.stop() };
}

describe.each(['mosquitto', 'reference'] as const)('%s broker', (name) => {
  let broker: BrokerUnderTest;
  beforeAll(async () => {
    broker = await startBroker(name);
  });
  afterAll(() => broker.stop());

  test(`a subscriber with the default coalescing gets all of a fast stream of ${STREAM} QoS 0 messages, in order`, async () => {
    const subscriber = await connect(broker.url('tcp'), { clientId: `coalesce-sub-${name}` });
    const publisher = await connect(broker.url('tcp'), { clientId: `coalesce-pub-${name}` });
    try {
      const got: number[] = [];
      let wake: () => void = () => undefined;
      subscriber.on('message', (m) => {
        got.push(Number(text(m.payload)));
        wake();
      });
      await subscriber.subscribe('coalesce/stream', { qos: 0 });
      // In batches that the subscriber has before the next goes, so that no broker queue fills
      // (a QoS 0 message a broker drops for a full queue would be its loss, not ours).
      for (let from = 0; from < STREAM; from += BATCH) {
        const batch = Array.from({ length: BATCH }, (_, i) => publisher.publish('coalesce/stream', `${from + i}`, { qos: 0 }));
        await Promise.all(batch);
        await new Promise<void>((resolve) => {
          wake = () => got.length >= from + BATCH && resolve();
          wake();
        });
      }
      expect(got).toEqual(Array.from({ length: STREAM }, (_, i) => i));
    } finally {
      await Promise.all([subscriber.end(), publisher.end()]);
    }
  }, 60_000);
});

// Mosquitto with Nagle's algorithm off: with its default (set_tcp_nodelay false) it holds a
// PUBACK while a message it sent before is not yet acknowledged by TCP, and Linux delays that
// acknowledgement up to 40 ms, so with a stream flowing about half of the QoS 1 round trips took
// 40 to 47 ms, with coalescing off (0) as with it on: a broker setting, not the client's doing.
describe.each(['mosquitto', 'reference'] as const)('%s broker (Mosquitto with set_tcp_nodelay true)', (name) => {
  let broker: BrokerUnderTest;
  beforeAll(async () => {
    broker = name === 'mosquitto' ? await startMosquittoNoDelay() : await startBroker(name);
  });
  afterAll(() => broker.stop());

  test('a client reading a QoS 0 stream with long holds (50 ms) still gets each PUBACK at once: a write ends the hold', async () => {
    const HOLD_MS = 50;
    const PUBLISHES = 40;
    const client = await connect(broker.url('tcp'), { clientId: `coalesce-both-${name}`, coalesceReadsMs: HOLD_MS });
    const streamer = await connect(broker.url('tcp'), { clientId: `coalesce-streamer-${name}` });
    let streaming = true;
    let streamed = 0;
    try {
      let received = 0;
      client.on('message', () => received++);
      await client.subscribe('coalesce/firehose', { qos: 0 });
      // A steady stream, a few messages a millisecond (reads less than 25 ms apart, so the
      // client holds its reads), slow enough that no backlog builds in front of the PUBACKs.
      const stream = (async () => {
        while (streaming) {
          await Promise.all([0, 1, 2, 3].map(() => streamer.publish('coalesce/firehose', `${streamed++}`, { qos: 0 })));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      await expect.poll(() => received, { timeout: 5_000 }).toBeGreaterThan(100);
      // Each publish starts on a timer, as an application's would, so most start while the
      // client holds its reads (a read that holds is one of QoS 0 messages only, with nothing
      // awaited); each takes a round trip, then the next waits a few ms.
      const took: number[] = [];
      for (let i = 0; i < PUBLISHES; i++) {
        await new Promise((resolve) => setTimeout(resolve, 7));
        const started = performance.now();
        await client.publish('coalesce/acked', `${i}`, { qos: 1 });
        took.push(performance.now() - started);
      }
      streaming = false;
      await stream;
      // Without the write ending the hold, a PUBACK would wait for it: up to 50 ms each.
      took.sort((a, b) => a - b);
      expect(took[Math.floor(PUBLISHES / 2)]).toBeLessThan(HOLD_MS / 5);
      await expect.poll(() => received, { timeout: 5_000 }).toBeGreaterThan(streamed / 2);
    } finally {
      streaming = false;
      await Promise.all([client.end(), streamer.end()]);
    }
  }, 60_000);
});
