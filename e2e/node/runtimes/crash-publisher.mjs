// Run by Bun and Deno (e2e/node/runtimes.test.ts), killed with SIGKILL mid-stream: publishes
// messages first..last (odd at QoS 1, even at QoS 2) through a file outbox, at most 50
// outstanding. Prints "pending k,k,..." (what the outbox restored), "issue k" before each
// publish(), "done k" when one resolves, "finished" at the end.
import { connect } from '@courier/node';
import { fileOutbox } from '@courier/outbox-store/fs';

const [url, dir, first, last, clientId] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${line}\n`);
const numberOf = (payload) => Number(new TextDecoder().decode(payload));

const client = await connect(url, {
  clientId,
  clean: false,
  outbox: fileOutbox({ dir, fsync: 'batch' }),
  reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
});
const restored = await client.pending();
say(`pending ${restored.map((entry) => numberOf(entry.payload)).join(',')}`);
const outstanding = new Set();
const track = (done) => {
  outstanding.add(done);
  void done.finally(() => outstanding.delete(done));
};
for (const entry of restored) track(client.delivered(entry.id).then(() => say(`done ${numberOf(entry.payload)}`)));
for (let k = Number(first); k <= Number(last); k++) {
  while (outstanding.size >= 50) await Promise.race(outstanding);
  say(`issue ${k}`);
  track(client.publish('rt/crash', String(k), { qos: k % 2 === 1 ? 1 : 2 }).then(() => say(`done ${k}`)));
}
await Promise.all(outstanding);
await client.end();
say('finished');
