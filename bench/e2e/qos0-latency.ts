// What read coalescing (`coalesceReadsMs`) costs a QoS 0 stream in latency, and saves in CPU:
//   node --conditions=@courier/source --import tsx bench/e2e/qos0-latency.ts
// One Mosquitto (started here). A publisher process writes timestamped QoS 0 messages with the
// raw client's socket (raw-client.ts), RATE a second (a batch every millisecond); this process subscribes with Courier,
// coalesceReadsMs 0 and 1 in alternation, and measures, per message, the time from the write to
// the `message` handler (both clocks are performance.timeOrigin + now() on one machine), and
// its own CPU per message. Each run lasts BENCH_SECONDS (2); BENCH_ROUNDS rounds (3);
// BENCH_TLS=1 has the subscriber connect over TLS.
import { fork } from 'node:child_process';
import { connect, encode } from '@courier/node';
import { freePort } from '../../e2e/support/free-port';
import { startMosquitto } from '../../e2e/support/mosquitto';
import { rawConnect } from './raw-client';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATES = [1_000, 10_000, 50_000];
const TOPIC = 'lat/x';
const wallNow = () => performance.timeOrigin + performance.now();

/** The publisher process: RATE messages a second, each carrying the wall time it was written at. */
async function publish(port: number, rate: number): Promise<void> {
  const { socket } = await rawConnect(port, 'lat-pub');
  const frame = (): Uint8Array => {
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setFloat64(0, wallNow(), true);
    return encode({ type: 'publish', topic: TOPIC, payload, qos: 0, dup: false, retain: false }, 4);
  };
  const started = performance.now();
  let sent = 0;
  process.send!('ready');
  while (performance.now() - started < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) socket.write(frame());
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  socket.end();
  process.send!({ sent });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

async function run(port: number, rate: number, coalesceReadsMs: number): Promise<string> {
  const url = TLS === undefined ? `mqtt://127.0.0.1:${port}` : `mqtts://127.0.0.1:${TLS.port}`;
  const client = await connect(url, { clientId: `lat-sub-${coalesceReadsMs}`, protocolVersion: 4, coalesceReadsMs, ...(TLS === undefined ? {} : { ca: TLS.cert }) });
  const latencies: number[] = [];
  client.on('message', ({ payload }) => {
    latencies.push(wallNow() - new DataView(payload.buffer, payload.byteOffset, 8).getFloat64(0, true));
  });
  await client.subscribe(TOPIC, { qos: 0 });
  const child = fork(new URL(import.meta.url).pathname, ['--publisher', String(port), String(rate)], { execArgv: process.execArgv });
  await new Promise((resolve) => child.once('message', resolve));
  const cpu = process.cpuUsage();
  const { sent } = await new Promise<{ sent: number }>((resolve) => child.on('message', (m) => typeof m === 'object' && resolve(m as { sent: number })));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const used = process.cpuUsage(cpu);
  await client.end();
  const sorted = latencies.sort((a, b) => a - b);
  const ms = (value: number) => value.toFixed(2);
  return `| ${rate.toLocaleString('en-US')} | ${coalesceReadsMs} | ${ms(percentile(sorted, 0.5))} | ${ms(percentile(sorted, 0.99))} | ${ms(sorted.at(-1) ?? NaN)} | ${((used.user + used.system) / latencies.length).toFixed(1)} | ${latencies.length} of ${sent} |`;
}

const [, , mode, portArg, rateArg] = process.argv;
if (mode === '--publisher') {
  await publish(Number(portArg), Number(rateArg));
  process.exit(0);
}
// BENCH_TLS=1: the subscriber connects over TLS (mqtts://) to a listener with a certificate made here.
const TLS = process.env.BENCH_TLS === '1' ? await tlsListener() : undefined;
async function tlsListener(): Promise<{ port: number; cert: string; config: string[] }> {
  const { default: selfsigned } = await import('selfsigned');
  const { chmodSync, mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'courier-latency-tls-'));
  writeFileSync(join(dir, 'cert.pem'), pems.cert);
  writeFileSync(join(dir, 'key.pem'), pems.private);
  // Mosquitto started as root reads them as its own user: a throwaway key, readable by all.
  chmodSync(dir, 0o755);
  for (const file of ['cert.pem', 'key.pem']) chmodSync(join(dir, file), 0o644);
  const port = await freePort();
  return { port, cert: pems.cert, config: [`listener ${port} 127.0.0.1`, `certfile ${join(dir, 'cert.pem')}`, `keyfile ${join(dir, 'key.pem')}`] };
}
const mosquitto = await startMosquitto(['set_tcp_nodelay true', ...(TLS?.config ?? [])]);
console.log(`QoS 0 through Mosquitto${TLS === undefined ? '' : ', the subscriber over TLS'}, ${SECONDS} s a run: latency from the publisher's write to Courier's handler, ms\n`);
console.log('| msg/s | coalesceReadsMs | p50 | p99 | max | subscriber CPU µs per message | received |\n|---:|---:|---:|---:|---:|---:|---:|');
for (let round = 0; round < ROUNDS; round++) {
  for (const rate of RATES) for (const hold of [0, 1]) console.log(await run(mosquitto.port, rate, hold));
}
await mosquitto.stop();
