// A subscriber process that processes each message by appending its number to a file with fsync,
// one at a time, from `for await (const message of client.messages(topic))`: a persistent
// session over a file outbox. In "manual" mode (`manualAcks: true`) it calls `message.ack()`
// after the fsync; in "stream" mode the client acknowledges by itself. It prints, unbuffered,
// "ready" once subscribed and "did k" after each fsync. The test kills it with SIGKILL at seeded
// moments and restarts it on the same directories.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect } from '@courier/node';
import { fileOutbox } from '@courier/outbox-store/fs';

const [url, outboxDir, log, mode, clientId, topic, version, qos, outboxKind = 'file', processing = 'sync'] = process.argv.slice(2) as string[];
const say = (line: string) => process.stdout.write(`${line}\n`);
const manual = mode === 'manual';

// `manualAcks` goes through a loosely typed object: the tests were written before the option.
const ackOptions: Record<string, unknown> = manual ? { manualAcks: true } : {};
const client = await connect(url!, {
  clientId: clientId!,
  clean: false,
  protocolVersion: Number(version) as 4 | 5,
  reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
  ...(outboxKind === 'memory' ? {} : { outbox: fileOutbox({ dir: outboxDir! }) }),
  ...ackOptions,
});
const messages = client.messages(topic);
await client.subscribe(topic!, { qos: Number(qos) as 1 | 2 });
say('ready');

// "sync": writeSync + fsyncSync, and at least 1 ms a message (fsync alone is so fast on these
// disks that hundreds of messages go by while a kill is on its way), the loop never yields to the
// event loop while messages are buffered; "async": the same through fs/promises, which does.
const fd = openSync(log!, 'a');
const file = processing === 'async' ? await open(log!, 'a') : undefined;
for await (const message of messages) {
  const k = new TextDecoder().decode(message.payload);
  if (file === undefined) {
    const started = performance.now();
    writeSync(fd, `${k}\n`);
    fsyncSync(fd);
    while (performance.now() - started < 1);
  } else {
    await file.appendFile(`${k}\n`);
    await file.sync();
  }
  say(`did ${k}`);
  if (manual) {
    const { ack } = message as { ack?: () => Promise<void> };
    if (typeof ack !== 'function') {
      process.stderr.write('manualAcks: the message has no ack()\n');
      process.exit(2);
    }
    await ack.call(message);
  }
}
closeSync(fd);
await file?.close();
