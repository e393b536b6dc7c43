// A publisher killed with SIGKILL at random moments, 20 times, and restarted each time, with a
// file outbox: every message accepted (its write-ahead record in the journal) reaches the
// subscriber, QoS 1 at least once, QoS 2 exactly once; what a kill takes is only the last
// publish() calls whose records had not reached the journal. Seeded; the seed is printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect, type MqttClient } from '@courier/node';
import { ChildScript } from '../support/child-process';
import { prng } from '../support/prng';

const MESSAGES = Number(process.env.COURIER_CRASH_MESSAGES ?? 10_000); // half QoS 1, half QoS 2
const KILLS = Number(process.env.COURIER_CRASH_KILLS ?? 20);
const SEED = Number(process.env.COURIER_CRASH_SEED ?? 20261124);
const CHILD = 'e2e/node/crash/publisher-child.ts';

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0, maxQueuedMessages: 100_000 });
});
afterAll(() => broker.close());

describe.each(['always', 'batch'] as const)("fsync: '%s'", (fsync) => {
  test(`${KILLS} SIGKILLs while publishing ${MESSAGES} messages: nothing accepted is lost, no QoS 2 message arrives twice (seed ${SEED})`, async () => {
    const random = prng(SEED + (fsync === 'batch' ? 1 : 0));
    const dir = mkdtempSync(join(tmpdir(), 'courier-crash-'));
    const clientId = `crash-pub-${fsync}`;
    const received = new Map<number, number>();
    const subscriber: MqttClient = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: `crash-sub-${fsync}`, clean: false });
    subscriber.on('message', ({ payload }) => {
      const k = Number(new TextDecoder().decode(payload));
      received.set(k, (received.get(k) ?? 0) + 1);
    });
    await subscriber.subscribe(`crash/${clientId}`, { qos: 2 });

    const accepted = new Set<number>(); // done, or restored from the outbox: must arrive
    const issuedByRun: number[][] = [];
    let issuedUpTo = 0;
    let kills = 0;
    try {
      for (let run = 0; run <= KILLS; run++) {
        const child = new ChildScript(CHILD, [`mqtt://127.0.0.1:${broker.port}`, dir, fsync, String(issuedUpTo + 1), String(MESSAGES), clientId]);
        // Killed once it has issued a random share of what is left: a kill paced by the clock
        // instead let a fast child finish first, and a slow machine got too few kills.
        const killAfter = 1 + Math.floor(random() * Math.max(1, (2 * (MESSAGES - issuedUpTo)) / (KILLS - run + 1)));
        const killAt = `issue ${issuedUpTo + killAfter}`;
        if (run === KILLS) await child.waitForLine((line) => line === 'finished', 120_000);
        else await child.waitForLine((line) => line === 'finished' || line === killAt, 60_000);
        const finished = child.lines.includes('finished');
        if (!finished) {
          await child.kill();
          kills++;
        }
        await child.exited;
        const issued: number[] = [];
        for (const line of child.lines) {
          const [word, value = ''] = line.split(' ');
          if (word === 'pending') for (const k of value.split(',').filter(Boolean).map(Number)) accepted.add(k);
          if (word === 'done') accepted.add(Number(value));
          if (word === 'issue') issued.push(Number(value));
        }
        if (run === KILLS) expect(finished, child.errors).toBe(true);
        issuedUpTo = Math.max(issuedUpTo, ...issued);
        issuedByRun.push(issued);
      }
      const deadline = Date.now() + 30_000;
      while ([...accepted].some((k) => !received.has(k)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const missing = [...accepted].filter((k) => !received.has(k));
      const doubledQos2 = [...received].filter(([k, n]) => k % 2 === 0 && n > 1).map(([k]) => k);
      const duplicatesQos1 = [...received].filter(([k, n]) => k % 2 === 1 && n > 1).length;
      // A publish() whose record never reached the journal is lost with the process: it was
      // never accepted. Write-ahead is in order, so in each run those are the last ones issued.
      const lostByRun = issuedByRun.map((issued) => issued.filter((k) => !accepted.has(k) && !received.has(k)));
      const notSuffix = issuedByRun.filter((issued, run) => {
        const lost = lostByRun[run] as number[];
        return lost.length > 0 && issued.slice(issued.length - lost.length).join() !== lost.join();
      });
      const lost = lostByRun.reduce((sum, run) => sum + run.length, 0);
      console.log(
        `crash (${fsync}, seed ${SEED}): ${kills} kills, ${issuedUpTo} issued, ${accepted.size} accepted, ${lost} lost before the journal, ` +
          `${received.size} received, ${missing.length} missing, ${doubledQos2.length} QoS 2 doubled, ${duplicatesQos1} QoS 1 duplicates`,
      );
      expect(kills).toBeGreaterThan(KILLS / 2);
      expect(issuedUpTo).toBe(MESSAGES); // the last run finished the rest
      expect(missing).toEqual([]);
      expect(doubledQos2).toEqual([]);
      expect(notSuffix).toEqual([]);
      expect(lostByRun.at(-1)).toEqual([]); // the run that ended cleanly lost nothing
    } finally {
      await subscriber.end({ force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
