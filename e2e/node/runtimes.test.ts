// @courier/node in Bun and Deno, as an app would use it: each runtime runs a script that imports
// the built dist/ (the tests' usual @courier/source condition is not given to them), against a
// reference broker, a chaos proxy and a subscriber that this (Node) test runs.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect } from '@courier/node';
import { randomFaults, startChaosProxy } from '@courier/node/testing';
import { ChildScript } from '../support/child-process';
import { readmeBlock, repository } from '../support/readme';
import { Receiver } from '../support/receiver';
import { RUNTIME_LAUNCHERS, type Runtime } from '../support/runtimes';

const SCRIPTS = 'e2e/node/runtimes';
const combinations = [0, 1, 2].flatMap((published) => [0, 1, 2].map((subscribed) => `${published}${subscribed}`));

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
});
afterAll(() => broker.close());

/** Runs a script to its end in the runtime and returns its stdout lines; its stderr on failure. */
async function runToEnd(runtime: Runtime, script: string, args: string[], timeoutMs = 30_000): Promise<string[]> {
  const child = new ChildScript(script, args, RUNTIME_LAUNCHERS[runtime]);
  const timer = setTimeout(() => void child.kill(), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  expect(code, child.errors).toBe(0);
  return child.lines;
}

describe.each(['bun', 'deno'] as const)('in %s', (runtime) => {
  test('the README quick start for a Node service runs and prints the reading it published', async () => {
    const code = readmeBlock('### A Node service', 'js');
    mkdirSync(join(repository, '.cache'), { recursive: true });
    const file = join(repository, `.cache/main-${runtime}.mjs`);
    writeFileSync(file, code.replace('mqtt://127.0.0.1:1883', `mqtt://127.0.0.1:${broker.port}`));
    const [command, ...args] = RUNTIME_LAUNCHERS[runtime] as [string, ...string[]];
    const { stdout } = await promisify(execFile)(command, [...args, file], { cwd: repository, timeout: 20_000 });
    expect(stdout).toBe('readings/meter-7 {"kWh":12.5}\n');
  });

  test('the nine publish x subscribe QoS combinations over TCP and WebSocket, 3.1.1 and 5.0: received at the lower QoS, each once', async () => {
    const lines = await runToEnd(runtime, `${SCRIPTS}/qos-matrix.mjs`, [`mqtt://127.0.0.1:${broker.port}`, `ws://127.0.0.1:${broker.wsPort}/mqtt`]);
    const expected = ['tcp', 'ws'].flatMap((transport) =>
      [4, 5].flatMap((version) =>
        combinations.map((pair) => `${transport} ${version} ${pair} ${Array(5).fill(Math.min(Number(pair[0]), Number(pair[1]))).join(',')}`),
      ),
    );
    expect(lines).toEqual([...expected, 'finished']);
  });

  test('TCP reads held for coalesceReadsMs (onread returning false, socket.resume()): far fewer reads, every byte, nothing stuck', async () => {
    const lines = await runToEnd(runtime, `${SCRIPTS}/read-holds.mjs`, []);
    const reads = (line: string | undefined) => Number(line?.split(' ')[1]);
    expect(lines.map((line) => line.replace(/\d+ reads/, 'n reads'))).toEqual(['0: n reads, every byte', '20: n reads, every byte', 'finished']);
    // 300 ms of writes: about 15 reads with holds of 20 ms; without, one per chunk or a few.
    expect(reads(lines[1])).toBeLessThan(40);
    expect(reads(lines[0])).toBeGreaterThan(10 * reads(lines[1]));
  });

  test('publishing through a proxy that cuts and stalls the connection: reconnects, 0 lost at QoS 1 and 2, no QoS 2 twice', async () => {
    const proxy = await startChaosProxy({
      target: { port: broker.port },
      plan: randomFaults({ seed: 20261207, bytesBetween: [2_000, 6_000], stallMs: [20, 300] }),
    });
    const subscriber = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: `rt-chaos-sub-${runtime}`, clean: false });
    const receiver = new Receiver(subscriber);
    try {
      await subscriber.subscribe('rt/chaos', { qos: 2 });
      const count = 400;
      const lines = await runToEnd(runtime, `${SCRIPTS}/chaos-publisher.mjs`, [proxy.url, `rt-chaos-pub-${runtime}`, String(count)]);
      const reconnects = Number(lines.at(-1)?.split(' ')[1]);
      await receiver.waitFor(count);
      expect(proxy.counts().cut).toBeGreaterThan(0);
      expect(reconnects).toBeGreaterThan(0);
      expect(receiver.distinct).toBe(count);
      expect(receiver.duplicates().filter((k) => k % 2 === 0)).toEqual([]);
    } finally {
      await subscriber.end({ force: true });
      await proxy.close();
    }
  });

  test('SIGKILL while publishing through a file outbox: the restarted process delivers every message it had accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), `courier-${runtime}-crash-`));
    const clientId = `rt-crash-pub-${runtime}`;
    const subscriber = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: `rt-crash-sub-${runtime}`, clean: false });
    const receiver = new Receiver(subscriber);
    const last = 600;
    try {
      await subscriber.subscribe('rt/crash', { qos: 2 });
      const url = `mqtt://127.0.0.1:${broker.port}`;
      // Killed once it has issued 300: some done, some in flight, some only in the journal.
      const first = new ChildScript(`${SCRIPTS}/crash-publisher.mjs`, [url, dir, '1', String(last), clientId], RUNTIME_LAUNCHERS[runtime]);
      expect(await first.waitForLine((line) => line === 'issue 300', 20_000), first.errors).toBe(true);
      await first.kill();
      const accepted = new Set(first.lines.filter((line) => line.startsWith('done ')).map((line) => Number(line.slice(5))));
      const issued = Math.max(...first.lines.filter((line) => line.startsWith('issue ')).map((line) => Number(line.slice(6))));
      expect(first.lines).not.toContain('finished');

      const second = new ChildScript(`${SCRIPTS}/crash-publisher.mjs`, [url, dir, String(issued + 1), String(last), clientId], RUNTIME_LAUNCHERS[runtime]);
      expect(await second.waitForLine((line) => line === 'finished', 20_000), second.errors).toBe(true);
      await second.exited;
      const restored = second.lines[0]?.startsWith('pending ') ? second.lines[0].slice(8).split(',').filter(Boolean).map(Number) : [];
      for (const k of restored) accepted.add(k);
      for (let k = issued + 1; k <= last; k++) accepted.add(k);
      // Something was in flight at the kill and came back from the journal.
      expect(restored.length).toBeGreaterThan(0);
      await receiver.waitFor(0);
      const deadline = Date.now() + 10_000;
      while ([...accepted].some((k) => !receiver.counts.has(k)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect([...accepted].filter((k) => !receiver.counts.has(k))).toEqual([]);
      expect(receiver.duplicates().filter((k) => k % 2 === 0)).toEqual([]);
    } finally {
      await subscriber.end({ force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
