// The soak: a publisher and a persistent subscriber, each behind a chaos proxy that cuts the
// connection mid-packet, stalls it or slows one direction every few hundred messages (seeded),
// for each QoS level and both protocol versions, against the reference broker and Mosquitto, over
// TCP; and at QoS 1 and 2 over WebSocket too (the proxy in front of the broker's WebSocket port
// cuts mid-frame), the only way a browser reaches a broker.
// QoS 1 loses nothing, QoS 2 loses nothing and doubles nothing, QoS 0 doubles nothing, and every
// publish promise settles exactly once. The figures are printed.
//
// `npm test` runs a short version; COURIER_SOAK=full runs 50,000 messages per combination.
// COURIER_SOAK_SEED replays a seed; COURIER_SOAK_MESSAGES sets the count (of every run, WebSocket
// included); COURIER_SOAK_FAULT_BYTES ("50-1500") sets the bytes between faults (default 3,000 to
// 12,000).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BrokerUnderTest, startBroker } from '../support/brokers';
import { describeSoak, runSoak } from '../support/soak';

const FULL = process.env.COURIER_SOAK === 'full';
const MESSAGES = Number(process.env.COURIER_SOAK_MESSAGES ?? (FULL ? 50_000 : 2_000));
// Fewer over WebSocket in `npm test`, for the whole file to stay within its minute.
const WS_MESSAGES = Number(process.env.COURIER_SOAK_MESSAGES ?? (FULL ? 50_000 : 750));
const SEED = Number(process.env.COURIER_SOAK_SEED ?? 20261125);
const FAULT_BYTES = process.env.COURIER_SOAK_FAULT_BYTES?.split('-').map(Number) as [number, number] | undefined;
// Generous: the machine has 2 cores and other suites run beside this one.
const TIMEOUT_MS = Math.max(60_000, MESSAGES * 20);

// QoS 0 over WebSocket would add nothing the TCP runs do not test: what may be lost is lost whole.
const TRANSPORTS = [
  { transport: 'tcp', messages: MESSAGES, levels: [0, 1, 2] },
  { transport: 'ws', messages: WS_MESSAGES, levels: [1, 2] },
] as const;

describe.each(['reference', 'mosquitto'] as const)('soak through a chaos proxy, %s broker', (name) => {
  let broker: BrokerUnderTest;
  beforeAll(async () => {
    // Queues longer than the run: a full queue dropping messages is the broker's policy, not a loss.
    broker = await startBroker(name, { maxQueuedMessages: 10 * Math.max(MESSAGES, WS_MESSAGES) });
  });
  afterAll(() => broker.stop());

  for (const { transport, messages, levels } of TRANSPORTS) {
    describe(`over ${transport}`, () => {
      const combinations = ([4, 5] as const).flatMap((protocolVersion) => levels.map((qos) => ({ protocolVersion, qos })));
      test.each(combinations)(
        `MQTT $protocolVersion, QoS $qos, ${messages} messages (seed ${SEED}): nothing lost at QoS 1/2, nothing doubled at QoS 0/2, every promise settled once`,
        async ({ protocolVersion, qos }) => {
          const tag = `${name}-${transport}-${protocolVersion}-${qos}`;
          // Distinct per run: TCP from SEED + 40 to SEED + 152, WebSocket from SEED + 1041 to SEED + 1152.
          const seed = SEED + protocolVersion * 10 + qos + (name === 'mosquitto' ? 100 : 0) + (transport === 'ws' ? 1_000 : 0);
          const figures = await runSoak({
            brokerPort: Number(new URL(broker.url(transport)).port),
            transport,
            tag,
            protocolVersion,
            qos,
            messages,
            seed,
            window: 500,
            timeoutMs: TIMEOUT_MS,
            ...(FAULT_BYTES === undefined ? {} : { bytesBetween: FAULT_BYTES }),
          });
          console.log(describeSoak(tag, seed, figures));
          expect(figures.unsettled).toBe(0);
          expect(figures.settledTwice).toBe(0);
          expect(figures.rejected).toBe(0);
          expect(figures.faults.cut).toBeGreaterThan(0);
          if (qos > 0) expect(figures.lost).toBe(0);
          if (qos !== 1) expect(figures.duplicates).toBe(0);
        },
        TIMEOUT_MS * 2,
      );
    });
  }
});
