// What one awaited QoS 0 publish costs when each is handed to the operating system before the
// next (Courier's promise, issue 14 item 7), and how that cost depends on the sender's own work:
//   node --conditions=@courier/source --import tsx bench/e2e/qos0-wakeups.ts
// One Mosquitto (started here, no subscriber). A raw socket writes a 71-byte PUBLISH and waits
// for its write callback before the next, after spinning the CPU for 0 to 2 µs per message (a
// stand-in for a client's own work); Courier awaits `publish(..., { qos: 0 })`. Prints user and
// kernel µs per message (process.cpuUsage) and msg/s, ROUNDS rounds, alternated.
import { connect as netConnect, type Socket } from 'node:net';
import { connect } from '@courier/node';
import { startMosquitto } from '../../e2e/support/mosquitto';

const N = Number(process.env.BENCH_MESSAGES ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SPINS_US = [0, 0.5, 1, 1.5, 2];

const mosquitto = await startMosquitto();
const payload = new Uint8Array(64);

/** A raw 3.1.1 connection, CONNECT answered. */
async function rawConnection(): Promise<Socket> {
  const socket = netConnect({ host: '127.0.0.1', port: mosquitto.port });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const id = Buffer.from('raw-wakeups');
  socket.write(Buffer.from([0x10, 12 + id.length, 0, 4, 77, 81, 84, 84, 4, 2, 0, 60, 0, id.length, ...id]));
  await new Promise((resolve) => socket.once('data', resolve));
  return socket;
}

const topic = Buffer.from('w/x');
const frame = Buffer.concat([Buffer.from([0x30, 2 + topic.length + payload.length, 0, topic.length]), topic, payload]);

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

const raw = await rawConnection();
const courier = await connect(`mqtt://127.0.0.1:${mosquitto.port}`, { clientId: 'courier-wakeups', protocolVersion: 4 });
const courierRun = async (count: number) => {
  for (let i = 0; i < count; i++) await courier.publish('w/x', payload, { qos: 0 });
};
await rawRun(raw, 0, 20_000);
await courierRun(20_000);

console.log(`${N.toLocaleString('en-US')} awaited QoS 0 publishes through Mosquitto, per message:\n`);
console.log('| sender | user µs | kernel µs | msg/s |\n|---|---:|---:|---:|');
for (let round = 0; round < ROUNDS; round++) {
  for (const spin of SPINS_US) console.log(await measure(`raw, +${spin} µs of work`, () => rawRun(raw, spin, N)));
  console.log(await measure('Courier', () => courierRun(N)));
}
raw.destroy();
await courier.end();
await mosquitto.stop();
