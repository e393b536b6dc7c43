// A publisher process for the crash tests: publishes messages `first`..`last` (odd numbers at
// QoS 1, even at QoS 2) through a file outbox, at most 100 outstanding. It prints, unbuffered:
// "pending k,k,..." (what the outbox restored), "issue k" before each publish() call, "done k"
// when one resolves, "finished" at the end. The test kills it with SIGKILL at random moments.
import { connect } from '@courier/node';
import { type FsyncPolicy, fileOutbox } from '@courier/outbox-store/fs';

const [url, dir, fsync, first, last, clientId] = process.argv.slice(2) as [string, string, FsyncPolicy, string, string, string];
const say = (line: string) => process.stdout.write(`${line}\n`);
const numberOf = (payload: Uint8Array) => Number(new TextDecoder().decode(payload));

const client = await connect(url, {
  clientId,
  clean: false,
  outbox: fileOutbox({ dir, fsync }),
  keepAlive: 10,
  reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
});
const restored = await client.pending();
say(`pending ${restored.map((entry) => numberOf(entry.payload)).join(',')}`);
const outstanding = new Set<Promise<unknown>>();
for (const entry of restored) {
  const done = client.delivered(entry.id).then(() => say(`done ${numberOf(entry.payload)}`));
  outstanding.add(done);
  void done.finally(() => outstanding.delete(done));
}
for (let k = Number(first); k <= Number(last); k++) {
  while (outstanding.size >= 100) await Promise.race(outstanding);
  say(`issue ${k}`);
  const done = client.publish(`crash/${clientId}`, String(k), { qos: k % 2 === 1 ? 1 : 2 }).then(() => say(`done ${k}`));
  outstanding.add(done);
  void done.finally(() => outstanding.delete(done));
}
await Promise.all(outstanding);
await client.end();
say('finished');
