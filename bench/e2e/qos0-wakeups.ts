// What one awaited QoS 0 publish costs when each is handed to the operating system before the
// next (Courier's promise, issue 14 item 7), and how that cost depends on the sender's own work:
//   node --conditions=@courier/source --import tsx bench/e2e/qos0-wakeups.ts
// One Mosquitto (started here, no subscriber). Each measurement is a fresh process: the raw
// client's socket (raw-client.ts) writing a 71-byte PUBLISH and waits for its write callback before the next, after spinning
// the CPU for 0 to 2 µs per message (a stand-in for a client's own work), or Courier awaiting
// `publish(..., { qos: 0 })`, or MQTT.js awaiting its publish callback. Prints user and kernel µs per message (process.cpuUsage) and
// msg/s, BENCH_ROUNDS rounds (3), alternated.
import { execFileSync } from 'node:child_process';
import type { Socket } from 'node:net';
import { connect, encode } from '@courier/node';
import { startMosquitto } from '../../e2e/support/mosquitto';
import { rawConnect } from './raw-client';

const N = Number(process.env.BENCH_MESSAGES ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SPINS_US = [0, 0.5, 1, 1.5, 2];

const payload = new Uint8Array(64);

const frame = encode({ type: 'publish', topic: 'w/x', payload, qos: 0, dup: false, retain: false }, 4);

function measure(label: string, run: () => Promise<void>): Promise<string> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return run().then(() => {
    const used = process.cpuUsage(cpu);
    const rate = Math.round(N / ((performance.now() - started) / 1000));
    return `| ${label} | ${(used.user / N).toFixed(2)} | ${(used.system / N).toFixed(2)} | ${rate.toLocaleString('en-US')} |`;
  });
}

async function rawRun(socket: Socket, spinUs: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (spinUs > 0) {
      const until = performance.now() + spinUs / 1000;
      while (performance.now() < until);
    }
    await new Promise<void>((resolve, reject) => socket.write(frame, (error) => (error ? reject(error) : resolve())));
  }
}

/** One measurement in this process: `sender` is 'courier' or a spin in µs for the raw socket. */
async function measureHere(port: number, sender: string): Promise<void> {
  if (sender === 'courier') {
    const courier = await connect(`mqtt://127.0.0.1:${port}`, { clientId: 'courier-wakeups', protocolVersion: 4 });
    const run = async (count: number) => {
      for (let i = 0; i < count; i++) await courier.publish('w/x', payload, { qos: 0 });
    };
    await run(20_000);
    console.log(await measure('Courier', () => run(N)));
    await courier.end();
    return;
  }
  if (sender === 'mqttjs') {
    const { default: mqtt } = await import('mqtt');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'mqttjs-wakeups', protocolVersion: 4, reconnectPeriod: 0 });
    const body = Buffer.from(payload);
    const run = async (count: number) => {
      for (let i = 0; i < count; i++) {
        await new Promise<void>((resolve, reject) => client.publish('w/x', body, { qos: 0 }, (error) => (error ? reject(error) : resolve())));
      }
    };
    await run(20_000);
    console.log(await measure('MQTT.js 5 (called back before the write)', () => run(N)));
    await client.endAsync();
    return;
  }
  const { socket: raw } = await rawConnect(port, 'raw-wakeups');
  const spin = Number(sender);
  await rawRun(raw, spin, 20_000);
  console.log(await measure(`raw, +${spin} µs of work`, () => rawRun(raw, spin, N)));
  raw.destroy();
}

const [, , mode, port, sender] = process.argv;
if (mode === '--one') {
  await measureHere(Number(port), sender!);
} else {
  const mosquitto = await startMosquitto();
  console.log(`${N.toLocaleString('en-US')} awaited QoS 0 publishes through Mosquitto, per message, one process each:\n`);
  console.log('| sender | user µs | kernel µs | msg/s |\n|---|---:|---:|---:|');
  const self = new URL(import.meta.url).pathname;
  for (let round = 0; round < ROUNDS; round++) {
    for (const sender of [...SPINS_US.map(String), 'courier', 'mqttjs']) {
      const args = [...process.execArgv, self, '--one', String(mosquitto.port), sender];
      process.stdout.write(execFileSync(process.execPath, args, { encoding: 'utf8' }));
    }
  }
  await mosquitto.stop();
}
